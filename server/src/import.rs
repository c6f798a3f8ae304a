//! `POST /import/{project}/{phase}`: a person imports a report from the browser — pasted
//! text or a chosen file — as a plain multipart form that works without JavaScript.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use readyboard_app::form_outcome::FormOutcome;
use readyboard_domain::ingest::{Format, IngestError};
use readyboard_domain::role::Role;
use readyboard_store::{NewReport, UserRow};
use tower_sessions::Session;

use crate::intake::{Prepared, Refusal};
use crate::state::AppState;
use readyboard_app::format::query_value;

/// The form's fields.
#[derive(Default)]
struct ImportForm {
    suite: String,
    format: String,
    text: String,
    file: Vec<u8>,
}

impl ImportForm {
    /// The fields a failed import shows again (a chosen file cannot be put back).
    fn kept_fields(&self) -> Vec<(String, String)> {
        vec![
            ("suite".into(), self.suite.clone()),
            ("format".into(), self.format.clone()),
            ("text".into(), self.text.clone()),
        ]
    }
}

/// Back to the import page with the reason.
fn refused(page: &str, msg: &str) -> Response {
    tracing::info!(page, reason = msg, "import refused");
    Redirect::to(&format!("{page}?error={}", query_value(msg))).into_response()
}

/// Why a report could not be read, said to the person who pasted it.
fn unreadable(e: IngestError) -> String {
    match e {
        IngestError::Malformed { format, message, line, column } => {
            let at = match (line, column) {
                (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                (Some(l), None) => format!(" (line {l})"),
                _ => String::new(),
            };
            format!("This does not read as {format}: {}{at}.", message.trim_end_matches('.'))
        }
        IngestError::NotAReport(msg) => {
            format!("This is not a report readyboard can read: {}.", msg.trim_end_matches('.'))
        }
        IngestError::UnknownFormat => "readyboard could not tell which kind of report this is. Check that the whole \
            report was pasted, or choose its format in the list."
            .into(),
        IngestError::TooDeep => "The document is nested too deeply to be read.".into(),
        IngestError::Limit(e) => format!("The report goes over a limit: {e}."),
    }
}

/// Reads the multipart form, refusing more than `limit` bytes of content.
async fn read_form(mut mp: Multipart, limit: usize) -> Result<ImportForm, String> {
    let mut form = ImportForm::default();
    while let Some(field) = mp.next_field().await.map_err(|e| format!("The form could not be read: {e}"))? {
        let name = field.name().unwrap_or_default().to_string();
        let data = field.bytes().await.map_err(|_| format!("The report is larger than {} MiB.", limit >> 20))?;
        if data.len() > limit {
            return Err(format!("The report is larger than {} MiB.", limit >> 20));
        }
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "suite" => form.suite = text(),
            "format" => form.format = text(),
            "text" => form.text = String::from_utf8_lossy(&data).to_string(),
            "file" => form.file = data.to_vec(),
            _ => {}
        }
    }
    Ok(form)
}

/// Imports one report into an existing phase (editors); redirects to the stored report,
/// or back to the form with the reason and what was pasted kept for it.
#[tracing::instrument(skip_all, fields(project = %project, phase = %phase))]
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    Path((project, phase)): Path<(String, String)>,
    mp: Multipart,
) -> Response {
    let action = format!("/import/{project}/{phase}");
    let page = format!("/p/{}/{}/import", query_value(&project), query_value(&phase));
    let user = match readyboard_auth::session_user(&state.store, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(_) => return crate::unavailable::page(),
    };
    if !user.role().allows(Role::Editor) {
        return refused(&page, "Importing reports needs the editor role.");
    }
    let form = match read_form(mp, state.settings.max_upload).await {
        Ok(f) => f,
        Err(msg) => return refused(&page, &msg),
    };
    // Whatever goes wrong from here, the form comes back with what was typed in it.
    let fields = form.kept_fields();
    match store_import(&state, &user, &project, &phase, form).await {
        Ok(report_id) => Redirect::to(&format!("/reports/{report_id}")).into_response(),
        Err(msg) => {
            let failure = FormOutcome { action, fields, message: msg.clone(), failed: true };
            let resp = refused(&page, &msg);
            crate::form_outcomes::remember(&session, failure, resp).await
        }
    }
}

/// Reads the form's report and stores it in the phase; the report's id, or why not.
async fn store_import(
    state: &AppState,
    user: &UserRow,
    project: &str,
    phase: &str,
    form: ImportForm,
) -> Result<i64, String> {
    let Ok(p) = state.store.project(project).await else { return Err("There is no such project.".into()) };
    let Ok(ph) = state.store.phase(p.id, phase).await else { return Err("There is no such phase.".into()) };
    let data = if !form.file.is_empty() { form.file } else { form.text.into_bytes() };
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err("Paste a report or choose a file.".into());
    }
    let forced = forced_format(&form.format)?;
    // The same turn-taking as uploads (see `crate::intake`).
    let Ok(_slot) = state.intake.admit().await else {
        return Err("The server is busy storing other reports; try again in a few seconds.".into());
    };
    let limit = state.settings.max_upload;
    let prepared = match state.intake.prepare(data.into(), false, forced, limit).await {
        Ok(p) => p,
        Err(Refusal::Unreadable(e)) => return Err(unreadable(e)),
        Err(Refusal::TooLarge { limit }) => return Err(format!("The report is larger than {} MiB.", limit >> 20)),
        Err(Refusal::BadGzip(_) | Refusal::Stopped) => return Err("The import failed.".into()),
    };
    let new = imported_report(p.id, &ph.slug, form.suite, prepared)?;
    match state.store.ingest(&readyboard_app::ssr::actor(user), &new).await {
        Ok(outcome) => {
            // The person goes on to read it: their pages show it at once.
            state.store.show_reports_now();
            tracing::info!(report = outcome.report_id, user = %user.username, "report imported from the browser");
            Ok(outcome.report_id)
        }
        Err(readyboard_store::StoreError::Invalid(msg)) => Err(msg),
        Err(e) => {
            tracing::error!(error = %e, "import failed");
            Err("The report could not be stored; the cause has been logged.".into())
        }
    }
}

/// The format the form names (`None`: tell it from the report).
fn forced_format(name: &str) -> Result<Option<Format>, String> {
    match name {
        "" | "auto" => Ok(None),
        name => Format::parse_name(name).map(Some).ok_or_else(|| format!("Unknown format `{name}`.")),
    }
}

/// The report a prepared import stores: self-reported, in the suite the form or the report names.
fn imported_report(project_id: i64, phase: &str, suite: String, mut prepared: Prepared) -> Result<NewReport, String> {
    let parsed = &mut prepared.parsed;
    // Text a person pastes or picks in the browser is what they say it is (PRODUCT.md rule 7),
    // whatever tool once wrote it.
    parsed.provenance = readyboard_domain::model::Provenance::SelfReported;
    let suite = if suite.is_empty() {
        parsed.placement.suite.clone().unwrap_or_else(|| format!("{}-import", parsed.format))
    } else {
        suite
    };
    readyboard_domain::limits::label("suite", &suite).map_err(|e| e.to_string())?;
    Ok(prepared.into_report(project_id, phase.to_string(), suite))
}
