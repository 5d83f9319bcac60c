//! The conformance suite: the behaviour every [`crate::Store`] backend must show, written once,
//! one file per capability (the queue's, being large, a folder). A backend's integration tests
//! invoke [`conformance_suite!`](crate::conformance_suite) with a factory that returns a fresh,
//! migrated store per test and a guard that disposes of its database. Built only with the
//! `conformance` feature, for tests.

pub mod admin;
pub mod audit;
pub mod audit_read;
pub mod costs;
pub mod escalations;
pub mod experiments;
pub mod goal_edit;
pub mod goals;
pub mod leadership;
pub mod learnings;
pub mod queue;
pub mod reads;
pub mod reports;
pub mod retention;
pub mod schedules;
pub mod signals;
pub mod support;
pub mod tokens;
pub mod tool_calls;
pub mod workers;

pub use support::Guard;

/// Expands to one `#[tokio::test]` per conformance case. `$factory` is an async fn returning
/// `(Arc<dyn Store>, impl Guard)`: a fresh, migrated store built with
/// [`crate::StoreOptions::for_tests`], and what removes its database afterwards.
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path) => {
        $crate::conformance_suite!(@cases $factory;
            (admin) migrate_is_idempotent_and_current,
            (admin) now_is_a_clock,
            (queue::enqueue) returns_ready_task_with_event,
            (queue::enqueue) batch_keeps_input_order,
            (queue::enqueue) dedupe_returns_live_task,
            (queue::enqueue) dedupe_key_is_free_after_terminal,
            (queue::enqueue) batch_duplicate_keys_yield_one_task_per_key,
            (queue::enqueue) invalid_task_is_refused_and_changes_nothing,
            (queue::deps) unknown_dependency_is_refused_and_changes_nothing,
            (queue::deps) dependencies_gate_readiness,
            (queue::deps) dead_dependency_blocks_dependents_transitively,
            (queue::deps) requeue_unblocks_dependents,
            (queue::deps) dependency_on_cancelled_task_is_blocked_at_once,
            (queue::lifecycle) claim_orders_by_priority_then_run_at,
            (queue::lifecycle) claim_filters_kinds_and_respects_limit,
            (queue::lifecycle) future_run_at_waits_until_due,
            (queue::lifecycle) claim_sets_lease_and_new_token,
            (queue::lifecycle) complete_requires_evidence,
            (queue::lifecycle) complete_stores_result_and_evidence,
            (queue::lifecycle) fail_retries_with_backoff_then_dead,
            (queue::lifecycle) fail_not_retryable_is_failed,
            (queue::lifecycle) requeue_gives_fresh_attempts,
            (queue::lifecycle) requeue_and_cancel_refuse_wrong_status,
            (queue::lifecycle) every_transition_is_audited,
            (queue::fencing) stale_completion_is_refused,
            (queue::fencing) stale_failure_is_refused,
            (queue::fencing) heartbeat_extends_only_current_leases,
            (queue::fencing) rescue_returns_expired_to_ready,
            (queue::fencing) rescue_dead_letters_when_out_of_attempts,
            (queue::fencing) completion_after_cancel_is_refused,
            (queue::concurrency) concurrent_claimers_claim_each_once,
            (queue::concurrency) concurrent_rescuers_rescue_each_once,
            (queue::concurrency) concurrent_enqueue_same_key_yields_one_task,
            (queue::handback) release_does_not_count_the_attempt,
            (queue::handback) overdue_attempts_time_out,
            (queue::outcomes) children_are_enqueued_with_the_completion,
            (queue::outcomes) bad_children_refuse_the_completion,
            (queue::outcomes) retry_after_sets_the_next_attempt,
            (queue::outcomes) external_waits_are_parked_and_rechecked,
            (queue::outcomes) approvals_park_until_a_person_decides,
            (queue::verifying) begin_verify_then_complete_works,
            (queue::verifying) a_batch_completes_running_and_verifying_tasks,
            (queue::verifying) stale_begin_verify_is_refused,
            (queue::verifying) heartbeat_extends_a_verifying_lease,
            (queue::verifying) expired_verifying_lease_is_rescued,
            (queue::verifying) fail_from_verifying_retries,
            (queue::verifying) verifying_tasks_are_handed_back_like_running_ones,
            (goals) goals_are_added_read_and_listed,
            (goals) goal_status_moves_only_as_allowed,
            (goals) readings_achieve_and_deadlines_miss,
            (goals) plans_are_stored_with_their_tasks_once,
            (goals) goals_to_plan_follows_what_changed,
            (goals) edited_playbooks_mark_their_goals_once,
            (goal_edit) edits_replace_the_spec_and_ask_for_a_plan,
            (goal_edit) replan_requests_make_an_active_goal_wanted,
            (goal_edit) an_edit_from_a_stale_read_is_refused,
            (costs) reservations_count_until_settled,
            (costs) budgets_refuse_naming_their_scope,
            (costs) bad_reservations_are_refused,
            (costs) settling_twice_is_refused,
            (costs) spend_and_costs_follow_the_filter,
            (costs) cost_events_are_typed,
            (costs) concurrent_reservations_cannot_overrun_a_goal,
            (costs) concurrent_reservations_cannot_overrun_the_day,
            (costs) concurrent_settlements_settle_once,
            (tool_calls) tool_calls_round_trip_with_their_events,
            (tool_calls) tool_calls_are_read_by_ids_and_by_task,
            (tool_calls) bad_tool_calls_are_refused,
            (tokens) tokens_are_created_listed_and_revoked_with_their_events,
            (tokens) only_active_tokens_authenticate,
            (tokens) bad_tokens_are_refused,
            (escalations) raising_twice_counts_and_acks_close,
            (escalations) concurrent_raises_of_a_key_count_one_record,
            (escalations) escalations_list_page_and_mark_sends,
            (escalations) bad_escalations_are_refused,
            (escalations) escalator_reads_find_what_is_overdue_failing_or_spent,
            (learnings) capture_counts_each_ending_once_by_fingerprint,
            (learnings) learnings_are_listed_edited_and_retired,
            (learnings) bad_learning_input_is_refused,
            (experiments) experiments_are_created_listed_and_stopped,
            (experiments) experiment_iterations_points_and_conclusions_happen_once,
            (experiments) experiment_iterations_start_once_under_concurrency,
            (reports) reports_are_saved_listed_newest_first_and_read_back,
            (reports) bad_reports_are_refused,
            (reads) list_filters_and_paginates,
            (reads) counts_match_list,
            (reads) filtered_pages_merge_statuses_and_kinds,
            (reads) missing_task_is_not_found,
            (reads) events_after_a_cursor_come_oldest_first,
            (reads) used_dedupe_keys_outlive_their_tasks,
            (audit_read) audit_filters_by_task_actor_kind_and_time,
            (audit_read) audit_pages_walk_newest_first,
            (audit_read) audit_refuses_an_actor_with_nul,
            (workers) workers_register_heartbeat_and_deregister,
            (workers) lost_worker_tasks_are_handed_back_and_fenced,
            (leadership) leadership_is_exclusive_and_moves_on_expiry,
            (leadership) concurrent_try_lead_elects_one,
            (schedules) schedules_are_added_listed_and_removed,
            (schedules) schedule_fires_once_per_fire_time,
            (retention) prune_removes_only_old_terminal_tasks,
            (signals) work_signal_fires_on_enqueue,
            (signals) work_signal_fires_when_work_comes_back,
            (audit) every_event_has_its_kinds_payload,
        );
    };
    (@cases $factory:path; $(($($module:ident)::+) $case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let (store, guard) = $factory().await;
                $crate::conformance::$($module)::+::$case(store.clone()).await;
                store.close().await;
                $crate::conformance::Guard::dispose(guard).await;
            }
        )+
    };
}
