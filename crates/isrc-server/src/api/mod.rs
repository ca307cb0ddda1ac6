//! The JSON API under `/api/v1`, collected with its OpenAPI document (`/api/openapi.json`).

pub mod accounts;
pub mod agency;
pub mod agency_dashboard;
pub mod allocations;
pub mod audit;
pub mod check;
pub mod dashboard;
pub mod edit;
pub mod export;
pub mod imports;
pub mod lookup;
pub mod published;
pub mod recordings;
pub mod recovery;
pub mod registrants;
pub mod registry;
pub mod releases;
pub mod search;
pub mod session;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The document's fixed parts; the paths come from the handlers' `#[utoipa::path]`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "isrc",
        description = "ISRC (ISO 3901) validation, catalogue checks, a registry that never repeats a code, and an agency back office. Errors are JSON {\"code\", \"message\"}.",
    ),
    components(schemas(crate::error::ErrorBody, registry::ListPage)),
    modifiers(&Security),
    tags(
        (name = "public", description = "No sign-in needed; rate-limited per client address"),
        (name = "session", description = "Signing in and out"),
        (name = "registry", description = "Registrants and recordings"),
        (name = "agency", description = "Registrant-code applications and the back office"),
    )
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every API route, with its document.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    // The budget runs after the rate limit: a request over its rate costs nothing.
    let validate = OpenApiRouter::new()
        .routes(routes!(lookup::validate))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::budget::validate,
        ));
    let check = OpenApiRouter::new().routes(routes!(check::check)).layer(
        axum::middleware::from_fn_with_state(state.clone(), crate::budget::public),
    );
    let public = OpenApiRouter::new()
        .routes(routes!(lookup::isrc))
        .merge(validate)
        .merge(check)
        .routes(routes!(published::lookup))
        .routes(routes!(search::search))
        .layer(state.limits.public.layer());
    let allocate = OpenApiRouter::new()
        .routes(routes!(allocations::allocate))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::budget::bulk,
        ));
    let login = OpenApiRouter::new()
        .routes(routes!(session::login))
        .routes(routes!(recovery::request_reset))
        .routes(routes!(recovery::confirm_reset))
        .layer(state.limits.login.layer());
    let apply = OpenApiRouter::new()
        .routes(routes!(agency::apply))
        .layer(state.limits.applications.layer());
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(lookup::healthz))
        .merge(public)
        .merge(login)
        .merge(apply)
        .routes(routes!(session::logout, session::me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::users, accounts::add_user))
        .routes(routes!(accounts::tokens, accounts::add_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(recovery::admin_reset))
        .routes(routes!(recovery::disable))
        .routes(routes!(recovery::enable))
        .routes(routes!(recovery::add_prefix))
        .routes(routes!(session::outbox))
        .routes(routes!(
            registrants::registrants,
            registrants::add_registrant
        ))
        .routes(routes!(registrants::registrant))
        .routes(routes!(dashboard::usage))
        .routes(routes!(recordings::recordings))
        .routes(routes!(recordings::recording, edit::edit))
        .routes(routes!(recordings::set_public))
        .routes(routes!(recordings::void))
        .routes(routes!(allocations::derive))
        .routes(routes!(imports::import))
        .merge(allocate)
        .routes(routes!(export::export))
        .routes(routes!(audit::audit))
        .routes(routes!(releases::list, releases::add))
        .routes(routes!(releases::show, releases::replace))
        .routes(routes!(releases::export))
        .routes(routes!(agency::applications))
        .routes(routes!(agency_dashboard::dashboard))
        .routes(routes!(agency::approve))
        .routes(routes!(agency::proposal))
        .routes(routes!(agency::reject))
}
