//! The dispatcher's two bounds: slots for attempts that are running, and places for results
//! waiting to be written. An attempt holds a slot while its handler and verifier run, then trades
//! it for a place among the unwritten results, so the next task starts while that result waits
//! for its batch: a dispatcher with few slots still writes large batches.

use std::sync::Arc;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The bounds, shared by the claim loop, the attempts and the completer.
pub(crate) struct Lanes {
    /// Held by an attempt while it runs.
    pub slots: Arc<Semaphore>,
    /// Held by a finished attempt until its result is written.
    pub unwritten: Arc<Semaphore>,
    /// Notified when an attempt gives its slot back.
    pub slot_freed: Notify,
    slot_count: usize,
    unwritten_count: usize,
}

impl Lanes {
    /// `slots` running attempts and `unwritten` results waiting to be written, at most.
    pub fn new(slots: usize, unwritten: usize) -> Arc<Self> {
        Arc::new(Self {
            slots: Arc::new(Semaphore::new(slots)),
            unwritten: Arc::new(Semaphore::new(unwritten)),
            slot_freed: Notify::new(),
            slot_count: slots,
            unwritten_count: unwritten,
        })
    }

    /// How many attempts are running.
    pub fn running(&self) -> usize {
        self.slot_count
            .saturating_sub(self.slots.available_permits())
    }

    /// A free slot, if there is one.
    pub fn try_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    /// Trades a finished attempt's slot for a place among the unwritten results (waiting while
    /// too many are unwritten); `None` once the dispatcher is gone.
    pub async fn finish(&self, slot: OwnedSemaphorePermit) -> Option<OwnedSemaphorePermit> {
        let place = self.unwritten.clone().acquire_owned().await.ok()?;
        drop(slot);
        self.slot_freed.notify_one();
        Some(place)
    }

    /// Returns once no attempt runs and every result is written; called when no attempt will
    /// start any more. The slots are given back before waiting for the places, so that the
    /// completer does not take the dispatcher for busy and wait for more results.
    pub async fn settled(&self) {
        let all_slots = u32::try_from(self.slot_count).unwrap_or(u32::MAX);
        let all_places = u32::try_from(self.unwritten_count).unwrap_or(u32::MAX);
        drop(self.slots.acquire_many(all_slots).await);
        drop(self.unwritten.acquire_many(all_places).await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_finished_attempt_frees_its_slot_but_not_its_place() {
        let lanes = Lanes::new(1, 2);
        let slot = lanes.try_slot().expect("a free slot");
        assert!(lanes.try_slot().is_none());
        assert_eq!(lanes.running(), 1);
        let place = lanes.finish(slot).await.expect("a place");
        assert_eq!(lanes.running(), 0);
        assert_eq!(lanes.unwritten.available_permits(), 1);
        let settled = lanes.settled();
        tokio::pin!(settled);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), &mut settled)
                .await
                .is_err(),
            "an unwritten result keeps the dispatcher from settling"
        );
        drop(place);
        settled.await;
    }

    #[tokio::test]
    async fn a_full_set_of_unwritten_results_holds_the_slot() {
        let lanes = Lanes::new(2, 1);
        let first = lanes.try_slot().expect("slot");
        let second = lanes.try_slot().expect("slot");
        let place = lanes.finish(first).await.expect("a place");
        let waiting = lanes.finish(second);
        tokio::pin!(waiting);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), &mut waiting)
                .await
                .is_err()
        );
        assert_eq!(lanes.running(), 1, "the slot is held until a place is free");
        drop(place);
        assert!(waiting.await.is_some());
        assert_eq!(lanes.running(), 0);
    }
}
