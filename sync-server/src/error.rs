//! Every refusal becomes one JSON body with a code a client can branch on. Messages are fixed
//! sentences: never a token, a code, an id from the request or a byte of a record.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use komora_protocol::{ErrorBody, ErrorCode};

use crate::db::DbError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: &'static str,
}

impl ApiError {
    pub const fn new(status: StatusCode, code: ErrorCode, message: &'static str) -> Self {
        Self {
            status,
            code,
            message,
        }
    }

    pub const fn bad_request(message: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    pub const fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "log in again: the token is missing, unknown or expired",
        )
    }

    pub const fn revoked() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Revoked,
            "this device has been revoked by an administrator",
        )
    }

    pub const fn forbidden(message: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub const fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many attempts: wait a minute and try again",
        )
    }

    /// A device past its quota of stored bytes (ADR 0027).
    pub const fn device_quota() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::QuotaExceeded,
            "this tablet has sent more than the server keeps for one device: nothing was lost, \
             its work waits on the tablet; ask your administrator to raise the server's device quota",
        )
    }

    /// A team whose devices have stored as much as the server keeps for one team (ADR 0027).
    pub const fn team_quota() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::QuotaExceeded,
            "this team's tablets have sent more than the server keeps for one team: nothing was \
             lost, the work waits on the tablet; ask your administrator to raise the server's team quota",
        )
    }

    /// A team holding as many waiting invitations as the server allows (ADR 0027).
    pub const fn invite_quota() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::QuotaExceeded,
            "this team has too many invitations waiting: let some expire or be used, then invite again",
        )
    }

    pub const fn invalid_code() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidCode,
            "the code is unknown, already used or expired",
        )
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::InvalidCode => ApiError::invalid_code(),
            DbError::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "that device or invitation already exists",
            ),
            DbError::NumberTaken => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "this tablet numbers its work with numbers the server holds under other work of \
                 it: it was put back from an older copy of itself; nothing was stored, and its \
                 next sync takes its own work back first",
            ),
            DbError::StaleEpoch => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::StaleEpoch,
                "the team key has changed: fetch the new key and try again",
            ),
            DbError::Invalid(reason) => ApiError::bad_request(reason),
            DbError::NotFound(reason) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, reason)
            }
            // Logged by the push route, which knows the device.
            DbError::QuotaExceeded => ApiError::device_quota(),
            DbError::TeamQuotaExceeded => ApiError::team_quota(),
            DbError::TooManyInvitesWaiting => ApiError::invite_quota(),
            DbError::Busy => {
                tracing::warn!("every database connection busy: answered 503");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Internal,
                    "the server is busy: try again in a moment",
                )
            }
            DbError::Storage(detail) => {
                tracing::error!(%detail, "storage failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "the server could not complete the request",
                )
            }
        }
    }
}

impl ApiError {
    /// The server's own words for a refusal the web framework wrote (a query string or a JSON
    /// body that does not parse, a body over the size limit, an unknown route or method):
    /// its plain text repeats pieces of the request and a tablet cannot branch on it.
    pub fn from_framework(status: StatusCode) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(status, ErrorCode::TooLarge, "the request is too large")
            }
            StatusCode::NOT_FOUND => Self::new(
                status,
                ErrorCode::NotFound,
                "there is no such route on this server",
            ),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                ErrorCode::BadRequest,
                "this route does not take that method",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                ErrorCode::BadRequest,
                "the body must be JSON (content-type: application/json)",
            ),
            // A body or a query string that does not parse (400), or parses into the wrong
            // shape (422): the same for the device.
            _ => Self::bad_request("the request is not what this route expects"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.code,
                message: self.message.to_owned(),
            }),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database pool that stays full answered 500, as if the server were broken: tablets
    /// and an operator's monitoring could not tell "busy, try again" from a fault.
    #[test]
    fn a_busy_database_answers_503_and_a_broken_one_500() {
        assert_eq!(
            ApiError::from(DbError::Busy).status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            ApiError::from(DbError::Storage("disk I/O error".into())).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
