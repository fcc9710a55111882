//! The column lists of the shared row types as this backend selects them, in macros so that
//! `concat!` can build static SQL.

/// The columns of `store_sql::CaseRow`, for `concat!`.
macro_rules! case_columns {
    () => {
        "case_id, reference, edition, edition_hash, status, result, sc_branch, provider, open_steps, version, opened_at, updated_at"
    };
}

/// The columns of `store_sql::TaskDbRow`, for `concat!`.
macro_rules! task_columns {
    () => {
        "case_id, task_id, reference, step, role, unit, assignee, cites, time_limit, opened_at, due_at, warn_at, escalated_to, done_at, outcome, done_by, time_basis"
    };
}

/// The columns of `store_sql::OutboxRow`, for `concat!`.
macro_rules! outbox_columns {
    () => {
        "id, case_id, kind, payload, idempotency_key, state, attempts, due_at, last_error, created_at, delivered_at, dead_at"
    };
}

/// The columns of `store_sql::UserRow`, for `concat!`.
macro_rules! user_columns {
    () => {
        "id, display_name, role, unit, token_hash, active"
    };
}

/// The columns of `store_sql::TimerRow`, for `concat!`.
macro_rules! timer_columns {
    () => {
        "id, case_id, kind, payload, due_at, state, attempts, fired_at"
    };
}

/// The columns of `store_sql::DocumentRow`, for `concat!`.
macro_rules! document_columns {
    () => {
        "id, case_id, task_id, kind, hash, view, signature, verification_code, registration_number, issued_at, revoked_at"
    };
}
