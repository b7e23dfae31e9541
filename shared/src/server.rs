//! The local host: every route family on one listener, jobs and the schedule in-process.
//! `leadflow serve` runs this; so do the tests that exercise the whole local product.

use std::future::Future;
use std::net::SocketAddr;

use crate::app::AppState;
use crate::queue::LocalJobs;
use crate::workers;

/// Serves until `shutdown` completes, then stops the worker and the schedule. `web_dir`
/// holds the built dashboard and widget, served beside the API when given.
pub async fn run(
    state: AppState,
    jobs: Option<LocalJobs>,
    listener: tokio::net::TcpListener,
    web_dir: Option<std::path::PathBuf>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Jobs run in this process unless JOBS_QUEUE_URL sends them to SQS.
    let worker = jobs.map(|jobs| workers::local::spawn_worker(state.clone(), jobs));
    let schedule = workers::local::spawn_schedule(state.clone(), state.config.messaging.schedule_interval);
    let app = crate::api::app_with_web(state, web_dir).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    schedule.abort();
    if let Some(w) = worker {
        w.abort();
    }
    served
}
