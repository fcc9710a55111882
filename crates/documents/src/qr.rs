//! The verification QR code as a module matrix, to be drawn as filled squares.

use qrcode::{Color, EcLevel, QrCode};

use crate::DocumentError;

/// The dark/light modules of a QR code, row by row, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrMatrix {
    pub(crate) width: usize,
    dark: Vec<bool>,
}

/// The quiet zone scanners need around a code, in modules.
pub(crate) const QUIET_ZONE: usize = 4;

impl QrMatrix {
    /// Encodes `data` with medium error correction (15 %: survives a stamp or a fold).
    pub(crate) fn encode(data: &str) -> Result<QrMatrix, DocumentError> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| DocumentError::Qr(e.to_string()))?;
        let width = code.width();
        let dark = code.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(QrMatrix { width, dark })
    }

    /// Runs of dark modules per row as `(row, first column, length)`: drawing one rectangle per
    /// run instead of per module keeps the page small.
    pub(crate) fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for row in 0..self.width {
            let cells = &self.dark[row * self.width..(row + 1) * self.width];
            let mut col = 0;
            while col < self.width {
                if cells[col] {
                    let start = col;
                    while col < self.width && cells[col] {
                        col += 1;
                    }
                    runs.push((row, start, col - start));
                } else {
                    col += 1;
                }
            }
        }
        runs
    }
}
