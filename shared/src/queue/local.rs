//! The in-process queue of `leadflow serve` and of tests: an unbounded channel, with
//! delays served by a timer task.

use std::time::Duration;

use tokio::sync::mpsc;

use super::{Job, JobQueue, QueueError};

#[derive(Clone)]
pub struct LocalQueue {
    tx: mpsc::UnboundedSender<Job>,
}

/// The consuming end of a [`LocalQueue`].
pub struct LocalJobs {
    rx: mpsc::UnboundedReceiver<Job>,
}

impl LocalQueue {
    pub fn new() -> (Self, LocalJobs) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx }, LocalJobs { rx })
    }
}

impl LocalJobs {
    /// The next job; `None` once every queue handle is gone.
    pub async fn next(&mut self) -> Option<Job> {
        self.rx.recv().await
    }

    /// The next job if one is waiting now.
    pub fn try_next(&mut self) -> Option<Job> {
        self.rx.try_recv().ok()
    }
}

#[async_trait::async_trait]
impl JobQueue for LocalQueue {
    async fn enqueue_after(&self, job: &Job, delay: Duration) -> Result<(), QueueError> {
        if delay.is_zero() {
            return self.tx.send(job.clone()).map_err(|_| QueueError::Unavailable("local worker stopped".into()));
        }
        let tx = self.tx.clone();
        let job = job.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = tx.send(job);
        });
        Ok(())
    }
}
