//! The reconcile slots of `--concurrent`: how many releases are worked on at once.
//!
//! A slot bounds what costs memory and API load: a reconcile's validation and render in the
//! sandbox, its hooks, its apply. A release that has applied a revision and waits for its
//! objects to be ready (`wait`, `atomic`, a rollback's wait) gives its slot up meanwhile: the
//! wait is a watch per object that costs no sandbox and almost no requests, so N releases can
//! wait at once while `--concurrent` others render and apply. When the wait ends the reconcile
//! takes a slot again, ahead of reconciles that have not started, and finishes as it would have
//! (post hooks, the record, remediation).
//!
//! Guarantees: at most `concurrent` reconciles hold a slot at once, so at most that many run a
//! sandboxed call (the memory budget, `crate::budget`), since every sandboxed call of a reconcile
//! is made while it holds its slot. A reconcile back from a wait queues behind at most one
//! reconcile that has not started (new reconciles queue one at a time at the slots). After
//! [`Slots::close`] (shutdown), no new reconcile starts, and those back from a wait finish
//! without a slot, as reconciles in flight finish at a graceful shutdown.
//! Caveat: a waiting release still holds its reconcile's memory (its records, the rendered
//! manifest: tens of KB for a small chart), and one watch per object not ready yet.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The slots of one controller (cheap to clone: clones share them).
#[derive(Clone)]
pub struct Slots {
    /// `None`: no limit (`--concurrent 0`).
    permits: Option<Arc<Semaphore>>,
    /// Where reconciles that have not started queue, one at a time holding it while they wait
    /// at `permits`: the semaphore is first come, first served, so a reconcile back from a wait
    /// finds at most one new reconcile ahead of it.
    line: Arc<tokio::sync::Mutex<()>>,
}

/// The slot one reconcile holds (given up while it waits: [`Slot::released_while`]).
pub struct Slot {
    permits: Option<Arc<Semaphore>>,
    held: Mutex<Option<OwnedSemaphorePermit>>,
}

impl Slots {
    /// `concurrent` slots; 0 means no limit.
    pub fn new(concurrent: u16) -> Slots {
        Slots {
            permits: (concurrent > 0).then(|| Arc::new(Semaphore::new(concurrent.into()))),
            line: Arc::default(),
        }
    }

    /// A slot for a reconcile about to start, once one is free; `None` after [`Slots::close`]:
    /// the reconcile must not start.
    pub async fn take(&self) -> Option<Slot> {
        let Some(permits) = &self.permits else {
            return Some(Slot {
                permits: None,
                held: Mutex::new(None),
            });
        };
        let _line = self.line.lock().await;
        let permit = permits.clone().acquire_owned().await.ok()?;
        Some(Slot {
            permits: Some(permits.clone()),
            held: Mutex::new(Some(permit)),
        })
    }

    /// Shutdown: no reconcile starts any more ([`Slots::take`] answers `None`, also to those
    /// queued), and reconciles back from a wait finish without a slot.
    pub fn close(&self) {
        if let Some(permits) = &self.permits {
            permits.close();
        }
    }
}

impl Slot {
    /// Runs `wait` without holding the slot, then takes a slot back (ahead of reconciles that
    /// have not started) before returning its output. Closed meanwhile (shutdown): returns
    /// without one, so the reconcile finishes.
    pub async fn released_while<F: Future>(&self, wait: F) -> F::Output {
        let Some(permits) = &self.permits else {
            return wait.await;
        };
        drop(self.lock().take());
        let out = wait.await;
        if let Ok(permit) = permits.clone().acquire_owned().await {
            *self.lock() = Some(permit);
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<OwnedSemaphorePermit>> {
        // A poisoned lock only means a panic elsewhere; the permit inside is still right.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn now_or_never<F: Future>(f: F) -> Option<F::Output> {
        futures::FutureExt::now_or_never(f)
    }

    #[tokio::test]
    async fn a_waiting_reconcile_holds_no_slot_and_comes_back_before_new_ones() {
        let slots = Slots::new(1);
        let take = |slots: &Slots| {
            let slots = slots.clone();
            tokio::spawn(async move { slots.take().await })
        };
        let pause = || tokio::time::sleep(Duration::from_millis(50));
        let within = Duration::from_secs(5);
        let waiting = slots.take().await.expect("a slot");
        // While it waits, another reconcile takes the slot.
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let wait = tokio::spawn(async move {
            waiting
                .released_while(async {
                    let _ = done_rx.await;
                })
                .await;
            waiting
        });
        let other = tokio::time::timeout(within, slots.take())
            .await
            .expect("the slot is free while the first waits")
            .expect("open");
        // Two new reconciles queue, then the wait ends: the waiting one is served after the
        // first of them (already at the slots) and before the second.
        let first = take(&slots);
        pause().await;
        let second = take(&slots);
        pause().await;
        done_tx.send(()).unwrap();
        pause().await;
        assert!(!wait.is_finished(), "no slot is free yet");
        drop(other);
        let first = tokio::time::timeout(within, first)
            .await
            .expect("the first new one starts")
            .unwrap()
            .expect("open");
        pause().await;
        assert!(!wait.is_finished(), "the first new one holds the slot");
        drop(first);
        let back = tokio::time::timeout(within, wait)
            .await
            .expect("the waiting reconcile gets the slot back")
            .unwrap();
        pause().await;
        assert!(!second.is_finished(), "the second new one is still queued");
        drop(back);
        tokio::time::timeout(within, second)
            .await
            .expect("then the second new one starts")
            .unwrap()
            .expect("open");
    }

    #[tokio::test]
    async fn closed_slots_start_nothing_and_let_waiting_reconciles_finish() {
        let slots = Slots::new(1);
        let held = slots.take().await.expect("a slot");
        let queued = {
            let slots = slots.clone();
            tokio::spawn(async move { slots.take().await.is_none() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        slots.close();
        assert!(queued.await.unwrap(), "a queued reconcile does not start");
        assert!(slots.take().await.is_none());
        // Back from a wait after the close: finishes without a slot.
        assert_eq!(now_or_never(held.released_while(async { 7 })), Some(7));
    }

    #[tokio::test]
    async fn no_limit_never_waits() {
        let slots = Slots::new(0);
        let a = slots.take().await.expect("a slot");
        let b = now_or_never(slots.take()).flatten().expect("no limit");
        assert_eq!(now_or_never(a.released_while(async { 1 })), Some(1));
        drop(b);
    }
}
