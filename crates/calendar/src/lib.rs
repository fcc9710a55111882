//! placeholder: the working calendar
