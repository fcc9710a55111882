//! The HTTP client the `openidconnect` crate calls through: our workspace's reqwest, with a
//! timeout, no redirects followed (a redirect could point the token request anywhere) and a
//! cap on the size of an answer.

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The most bytes an answer of the provider may have (discovery documents and key sets are a
/// few kilobytes).
const MAX_BODY: usize = 1024 * 1024;

pub(crate) struct Http(reqwest::Client);

/// A request to the provider that failed, in words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct HttpFailure(String);

impl Http {
    pub(crate) fn new(timeout: Duration) -> Result<Http, String> {
        reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(Http)
            .map_err(|e| format!("no HTTP client: {e}"))
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
        let (parts, body) = request.into_parts();
        let response = self
            .0
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| HttpFailure(format!("{} {}", parts.uri, describe(&e))))?;
        let (status, headers) = (response.status(), response.headers().clone());
        if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(HttpFailure(format!("{}: the answer is larger than {MAX_BODY} bytes", parts.uri)));
        }
        let bytes = response.bytes().await.map_err(|e| HttpFailure(format!("{}: {}", parts.uri, describe(&e))))?;
        if bytes.len() > MAX_BODY {
            return Err(HttpFailure(format!("{}: the answer is larger than {MAX_BODY} bytes", parts.uri)));
        }
        let mut out = HttpResponse::new(bytes.to_vec());
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

/// A reqwest error without the URL (already named by the caller).
fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "refused the connection"
    } else {
        "failed"
    }
}

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpFailure;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
