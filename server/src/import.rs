//! `POST /import/{project}/{phase}`: a person imports a report from the browser — pasted
//! text or a chosen file — as a plain multipart form that works without JavaScript.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use readyboard_domain::ingest::{self, Format};
use readyboard_domain::role::Role;
use readyboard_store::NewReport;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::api::reports::{artifact_time, gzip, ingest_error};
use crate::auth::encode;
use crate::state::AppState;

/// The form's fields.
#[derive(Default)]
struct ImportForm {
    suite: String,
    format: String,
    text: String,
    file: Vec<u8>,
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
/// or back to the form with the reason.
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    Path((project, phase)): Path<(String, String)>,
    mp: Multipart,
) -> Response {
    let back = |msg: &str| {
        tracing::info!(%project, %phase, reason = msg, "import refused");
        Redirect::to(&format!("/p/{}/{}/import?error={}", encode(&project), encode(&phase), encode(msg)))
            .into_response()
    };
    let user = match readyboard_app::ssr::session_user(&state.store, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(_) => return crate::unavailable::page(),
    };
    if !user.role().allows(Role::Editor) {
        return back("Importing reports needs the editor role.");
    }
    let Ok(p) = state.store.project(&project).await else { return back("No such project.") };
    let Ok(ph) = state.store.phase(p.id, &phase).await else { return back("No such phase.") };
    let form = match read_form(mp, state.settings.max_upload).await {
        Ok(f) => f,
        Err(msg) => return back(&msg),
    };
    let data = if !form.file.is_empty() { form.file } else { form.text.into_bytes() };
    if data.iter().all(u8::is_ascii_whitespace) {
        return back("Paste a report or choose a file.");
    }
    let forced = match form.format.as_str() {
        "" | "auto" => None,
        name => match Format::parse_name(name) {
            Some(f) => Some(f),
            None => return back(&format!("Unknown format `{name}`.")),
        },
    };
    // The same turn-taking as uploads (see `crate::intake`).
    let Ok(_slot) = state.intake.admit().await else {
        return back("The server is busy storing other reports; try again in a few seconds.");
    };
    let parsed = state
        .intake
        .run(move || {
            let hash = hex::encode(Sha256::digest(&data));
            let parsed = ingest::parse(&data, forced);
            let raw_gzip = gzip(&data);
            (parsed, hash, raw_gzip, data.len())
        })
        .await;
    let Some((parsed, content_hash, raw_gzip, raw_size)) = parsed else { return back("The import failed.") };
    let mut parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let err = ingest_error(e);
            return back(&err.message());
        }
    };
    // Text a person pastes or picks in the browser is what they say it is (PRODUCT.md rule 7),
    // whatever tool once wrote it.
    parsed.provenance = readyboard_domain::model::Provenance::SelfReported;
    let suite = if form.suite.is_empty() {
        parsed.placement.suite.clone().unwrap_or_else(|| format!("{}-import", parsed.format))
    } else {
        form.suite
    };
    if let Err(e) = readyboard_domain::limits::label("suite", &suite) {
        return back(&e.to_string());
    }
    let new = NewReport {
        project_id: p.id,
        phase: ph.slug.clone(),
        phase_name: None,
        create_phase: false,
        suite,
        kind: parsed.placement.kind.clone(),
        run: parsed.run.clone(),
        started_at: artifact_time(parsed.run.started_at.as_deref()),
        finished_at: artifact_time(parsed.run.finished_at.as_deref()),
        received_at: readyboard_store::now_ms(),
        raw_gzip,
        raw_size: raw_size as i64,
        content_hash,
        idempotency_key: None,
        parsed,
    };
    match state.store.ingest(&readyboard_app::ssr::actor(&user), &new).await {
        Ok(outcome) => {
            // The person goes on to read it: their pages show it at once.
            state.store.show_reports_now();
            tracing::info!(report = outcome.report_id, user = %user.username, "report imported from the browser");
            Redirect::to(&format!("/reports/{}", outcome.report_id)).into_response()
        }
        Err(readyboard_store::StoreError::Invalid(msg)) => back(&msg),
        Err(e) => {
            tracing::error!(error = %e, "import failed");
            back("The report could not be stored; the cause has been logged.")
        }
    }
}
