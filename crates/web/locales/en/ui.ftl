# Shaqyru: the web UI's words in English.

skip-to-content = Skip to the content
nav-label = Main menu
nav-work = Worklist
nav-intake = New application
nav-dashboard = Deadline compliance
nav-handbook = Process handbook
language = Language
logout = Sign out
footer = Shaqyru · invitations on private matters
back-to-work = Back to the worklist
optional = optional
choose = Choose
invitee = Invitee

role-supervisor = Deadline supervisor
role-admin = Administrator

login-title = Sign in
login-user = User name
login-password = Password
login-submit = Sign in
login-bad-credentials = The user name or the password is wrong.
login-locked = Too many failed attempts: the account is locked until { $until }.
login-or = or
login-oidc = Sign in with { $provider }
login-oidc-off = Signing in through an identity provider is not set up on this service.
login-oidc-unavailable = The identity provider cannot be reached right now. Try again later, or sign in with your password.
login-oidc-refused = The sign-in through the identity provider did not succeed (it was cancelled, is too old, or was already used). Start again from the sign-in page.
login-oidc-not-linked = The identity provider signed you in, but no active account of this service is linked to you. Ask an administrator to link your account.

work-title = Worklist
work-caption = Open tasks of your unit, the soonest due first
work-empty = No tasks match this filter.
filters = Filters
filter-all = All
filter-overdue = Overdue
filter-at_risk = At risk
filter-today = Due today
filter-mine = Mine
col-reference = Reference
col-step = Step
col-limit = Limit
col-due = Due
col-status = Status
col-unit = Unit
col-late-by = Late by
col-when = When
col-who = Who
col-what = What happened
col-role = Role
col-system = Information system
col-name = Name
col-count = Count
col-median = Median
col-p90 = 90th percentile
col-allowed = Allowed
status-on_time = On time
status-at_risk = At risk
status-overdue = Overdue
assigned-to = Assigned to
escalated = Escalated to the head
due-not-set = no deadline set
time-left = { $span } left
time-late = { $span } late
span-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
span-hours = { $n } h
span-minutes = { $n } min

limit-working-minutes = { $n ->
    [one] { $n } working minute
   *[other] { $n } working minutes
}
limit-working-hours = { $n ->
    [one] { $n } working hour
   *[other] { $n } working hours
}
limit-working-days = { $n ->
    [one] { $n } working day
   *[other] { $n } working days
}
limit-calendar-days = { $n ->
    [one] { $n } calendar day
   *[other] { $n } calendar days
}
limit-on-ready-date = on the ready date

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

intake-title = Take an application
intake-new = New application
intake-add-invitee = Add another invitee
intake-remove-invitee = Remove invitee
intake-review = Check the answers
section-applicant = Applicant
section-invitees = Invitees
section-trip = The visit
section-documents = Documents handed in
problems-title = The application has errors
error-prefix = Error:
field-iin = IIN
field-surname = Surname
field-given-names = Given names
field-patronymic = Patronymic
field-full-name = Full name
field-address = Home address
field-phone = Phone
field-mrz = Passport machine-readable zone (MRZ)
field-sex = Sex
field-birth-date = Date of birth
field-citizenship = Citizenship
field-passport = Passport number
field-passport-expires = Passport valid until
field-purpose = Purpose of the visit
field-stay = Stay
field-stay-from = Arrival
field-stay-to = Departure
field-entries = Entries
field-places = Settlements to visit
field-branch = State Corporation branch
field-provider = Service provider
field-edition = Edition of the regulation
hint-iin = 12 digits; the check digit is verified.
hint-latin = In Latin letters, as in the passport.
hint-mrz = The passport's two bottom lines. Empty fields are filled from them, filled ones are compared.
hint-citizenship = The three-letter code from the passport, e.g. DEU.
hint-places = One settlement per line.
hint-documents = Tick the documents the applicant handed in.
sex-m = Male
sex-f = Female
entries-single = Single
entries-double = Double
entries-multiple = Multiple

ferr-required = Fill in this field.
ferr-iin-invalid = The IIN is wrong: it has 12 digits and a valid check digit.
ferr-iin-future-birth-date = The IIN gives a date of birth in the future.
ferr-date-invalid = There is no such date.
ferr-stay-not-future = The visit must start after today.
ferr-stay-ends-before-start = Departure is before arrival.
ferr-stay-too-long = A stay is at most 365 days.
ferr-invitees-none = Name at least one invitee.
ferr-invitees-too-many = At most 20 invitees on one application.
ferr-name-not-latin = Write the name in Latin letters, as in the passport.
ferr-sex-invalid = Choose the sex.
ferr-birth-date-future = The date of birth must be in the past.
ferr-citizenship-invalid = Citizenship is the three-letter code, as in the passport.
ferr-citizenship-kazakhstan = A citizen of Kazakhstan needs no invitation.
ferr-passport-invalid = The passport number is wrong.
ferr-passport-expired = The passport has expired.
ferr-passport-expires-during-stay = The passport expires before the visit ends.
ferr-mrz-invalid = The machine-readable zone could not be read: type both lines in full.
ferr-mrz-mismatch = Does not match the passport's machine-readable zone.
ferr-entries-invalid = Choose the number of entries.
ferr-places-none = Name at least one settlement.
ferr-document-unknown = This document is not on the list.

review-title = Check your answers
review-presented = Handed in:
review-missing = These documents are missing. The application cannot be accepted: a receipt of refusal to accept is issued.
review-edit = Change
review-checks = Checks at the window
review-identified = The applicant was identified by the identity document
review-residence = The residence registration was checked
review-accept = Accept the application
review-refuse = Refuse to accept
review-incomplete = The package is incomplete: the application cannot be accepted.
review-confirm-checks = Confirm both checks before accepting.

receipt-accepted-title = Application accepted
receipt-refused-title = Application refused at intake
receipt-reference = Application number:
receipt-ready-on = The result is ready on:
receipt-accepted-note = The result is collected at this State Corporation branch. Print the receipt for the applicant.
receipt-refused-note = Documents not handed in:
receipt-open-case = Open the case

case-title = Case { $reference }
case-open = In progress
case-term = The result is ready on:
case-now = Current steps
case-show-on-diagram = show on the diagram
case-deadline-how = How the deadline was worked out
case-actions = Your actions
case-send-via = Send through:
case-documents = Documents
case-signed = signed
case-timeline = Timeline
case-coordination-only = You see what the coordination request holds: the persons to check, the visit and your task. The case's documents and the other units' work are not shown.
case-views = Who viewed this case
col-from = From
view-case = the case
view-receipt = the receipt page
view-document = a document
view-coordination = the coordination request
case-diagram = Process diagram
input-missing = Missing documents
input-assignee = Executor
input-grounds = Grounds for refusal
input-reasoning = Reasoning
input-days = Extension in calendar days (up to 30)
input-reason = Reason for the extension
result-refused_to_accept = Refused at intake
result-invitation_issued = Invitation issued
result-refused = Service refused
event-case-opened = Application registered as { $reference }
event-task-opened = Step opened: { $step }
event-outcome = { $step }: { $outcome }
event-deadline = Due: { $due }
event-term = Service term ends: { $date }
event-flag-at-risk = Deadline at risk
event-flag-overdue = Deadline missed
event-term-overrun = The service term has ended
event-document = Document prepared: { $document }
event-document-issued = Document issued: { $document }
event-closed = Case closed: { $result }

refusal-not_allowed_to_open = Your role does not open cases.
refusal-open_for_other_unit = You cannot open a case for another unit.
refusal-already_open = This case is already open.
refusal-no_such_case = There is no such case.
refusal-case_closed = The case is closed.
refusal-unknown_step = There is no such step.
refusal-step_not_open = This step is not open now; the page shows the case as it is.
refusal-wrong_role = Another role performs this step.
refusal-wrong_unit = This step belongs to another unit.
refusal-assigned_to_someone_else = This step is assigned to someone else.
refusal-unknown_outcome = There is no such outcome.
refusal-outcome_needed = Choose an outcome.
refusal-outcome_not_allowed = This outcome is not allowed in the case's present state.
refusal-chosen_by_system = An external system decides this step's outcome.
refusal-answer_needed = The external system's answer is needed.
refusal-unexpected_answer = The external system's answer was unexpected.
refusal-input_needed = Fill in the details this outcome needs.
refusal-input_not_expected = This outcome needs no details.
refusal-bad_input = The details are not valid.

error-title = Not done
error-form-token = The form is out of date or came from another page. Reload the page and try again.
error-unavailable = The service is unavailable for a moment. Try again in a minute; what you typed is kept.
error-system-unavailable = The external system did not answer. Nothing was changed; try again later.
error-conflict = The case changed meanwhile. The page shows it now: check and try again.
error-not-found = There is no such case or document.
error-purged = This case was purged on { $date } under the retention rule “{ $rule }”: its personal data and documents are gone; its steps still count in the compliance report.
error-forbidden = You may not do this.
error-bad-request = The request is not valid.
error-no-signing-key = The signer has no key: contact the administrator.
error-date = “{ $value }” is not a date.
error-days = Give the number of extension days in digits.

dashboard-title = Deadline compliance
period-from = From
period-to = To
period-show = Show
dashboard-csv = Download CSV
dashboard-done = Tasks done
dashboard-on-time = On time
dashboard-late = Late
dashboard-overdue = Open tasks past their deadline
dashboard-none-overdue = No task is overdue.
dashboard-nothing-done = No task was done in this period.
dashboard-by-step = By step
dashboard-by-unit = By unit

handbook-title = Process handbook
handbook-edition = Edition
handbook-act = Order No. { $number } of { $date }
handbook-steps = The steps
handbook-bpmn = Download the BPMN 2.0 file

nav-outbox = External systems
outbox-title = Calls to the external systems
outbox-intro = Calls the external systems did not answer or refused. Send a stopped call again once its cause is fixed.
outbox-dead = Stopped calls
outbox-none-dead = No call is stopped.
outbox-pending = Calls in the queue
outbox-none-pending = The queue is empty.
outbox-call = Call
outbox-attempts = Attempts
outbox-given-up = Stopped at
outbox-next-try = Next try
outbox-error = Last error
outbox-retry = Send again
