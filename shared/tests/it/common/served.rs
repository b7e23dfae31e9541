//! `leadflow serve` on a loopback port, for tests that need real HTTP connections.

use leadflow::app::AppState;
use leadflow::config::Config;

use super::{TestStack, test_config};

pub(crate) struct Served {
    pub(crate) state: AppState,
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) stop: tokio::sync::oneshot::Sender<()>,
    pub(crate) server: tokio::task::JoinHandle<std::io::Result<()>>,
    _stack: TestStack,
}

/// Jobs run in-process; the sweep never runs within a test (its first pass finds nothing
/// old enough).
pub(crate) async fn serve(change: impl FnOnce(&mut Config)) -> Served {
    let stack = TestStack::new().await;
    let mut config = test_config(&stack);
    change(&mut config);
    let (state, jobs) = AppState::local(config, stack.db.clone(), stack.mongo.clone()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(leadflow::server::run(state.clone(), Some(jobs), listener, None, async {
        let _ = stopped.await;
    }));
    Served { state, addr, stop, server, _stack: stack }
}

impl Served {
    pub(crate) async fn shut_down(self) {
        let _ = self.stop.send(());
        self.server.await.unwrap().unwrap();
    }
}
