//! The conformance suite: the behaviour every [`crate::Store`] backend must show, written once.
//! A backend's integration tests invoke [`conformance_suite!`](crate::conformance_suite) with a
//! factory that returns a fresh, migrated store per test.

pub mod concurrency;
pub mod coordination;
pub mod deps;
pub mod enqueue;
pub mod fencing;
pub mod lifecycle;
pub mod listing;
pub mod support;

/// Expands to one `#[tokio::test]` per conformance case. `$factory` is an async fn returning
/// `Arc<dyn Store>` built with [`crate::StoreOptions::for_tests`], fresh and migrated.
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path) => {
        $crate::conformance_suite!(@cases $factory;
            enqueue::returns_ready_task_with_event,
            enqueue::batch_keeps_input_order,
            enqueue::dedupe_returns_live_task,
            enqueue::dedupe_key_is_free_after_terminal,
            enqueue::batch_duplicate_keys_yield_one_task_per_key,
            enqueue::invalid_task_is_refused_and_changes_nothing,
            enqueue::migrate_is_idempotent,
            enqueue::work_signal_fires_on_enqueue,
            deps::unknown_dependency_is_refused_and_changes_nothing,
            deps::dependencies_gate_readiness,
            deps::dead_dependency_blocks_dependents_transitively,
            deps::requeue_unblocks_dependents,
            deps::dependency_on_cancelled_task_is_blocked_at_once,
            lifecycle::claim_orders_by_priority_then_run_at,
            lifecycle::claim_filters_kinds_and_respects_limit,
            lifecycle::future_run_at_waits_until_due,
            lifecycle::claim_sets_lease_and_new_token,
            lifecycle::complete_requires_evidence,
            lifecycle::complete_stores_result_and_evidence,
            lifecycle::fail_retries_with_backoff_then_dead,
            lifecycle::fail_not_retryable_is_failed,
            lifecycle::requeue_gives_fresh_attempts,
            lifecycle::requeue_and_cancel_refuse_wrong_status,
            lifecycle::every_transition_is_audited,
            fencing::stale_completion_is_refused,
            fencing::stale_failure_is_refused,
            fencing::heartbeat_extends_only_current_leases,
            fencing::rescue_returns_expired_to_ready,
            fencing::rescue_dead_letters_when_out_of_attempts,
            fencing::completion_after_cancel_is_refused,
            listing::list_filters_and_paginates,
            listing::counts_match_list,
            listing::missing_task_is_not_found,
            concurrency::concurrent_claimers_claim_each_once,
            concurrency::concurrent_rescuers_rescue_each_once,
            concurrency::concurrent_enqueue_same_key_yields_one_task,
            coordination::workers_register_heartbeat_and_deregister,
            coordination::lost_worker_tasks_are_handed_back_and_fenced,
            coordination::leadership_is_exclusive_and_moves_on_expiry,
            coordination::concurrent_try_lead_elects_one,
            coordination::release_does_not_count_the_attempt,
            coordination::overdue_attempts_time_out,
            coordination::schedules_are_added_listed_and_removed,
            coordination::schedule_fires_once_per_fire_time,
            coordination::prune_removes_only_old_terminal_tasks,
        );
    };
    (@cases $factory:path; $($module:ident :: $case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let store = $factory().await;
                $crate::conformance::$module::$case(store.clone()).await;
                store.close().await;
            }
        )+
    };
}
