//! Every call is paid for before it is sent: money is reserved against the goal's, the day's and
//! the model's budgets in the cost ledger (one transaction that cannot race another worker's),
//! the call is made, and the line is settled at what it really cost: the provider's reported
//! cost, else the price table (by the model asked for, then the one that answered), else nothing
//! (a local server). A call that may have been billed without a readable answer (a timeout, an
//! answer that could not be read) is settled at what was reserved; a call dropped half-way (a
//! lost lease, shutdown) is settled at the reserved amount too, by a guard, so no reservation is
//! left holding budget forever. A budget with no room stops the call before any request leaves
//! the machine.

use crate::client::Client;
use crate::config::{Prices, Purpose};
use crate::error::LlmError;
use crate::types::{ChatRequest, ChatResponse, TokenUsage};
use juggernaut_core::cost::CostCategory;
use juggernaut_core::{GoalId, TaskId};
use juggernaut_store::{CostId, CostRecord, CostStore, Limits, Reservation, Usage};
use std::sync::Arc;

/// Whom a call is charged to.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Charge {
    /// The goal whose budget pays.
    pub goal_id: Option<GoalId>,
    /// The task that made the call.
    pub task_id: Option<TaskId>,
}

/// An answer and its ledger line.
#[derive(Debug, Clone)]
pub struct MeteredReply {
    /// The answer.
    pub response: ChatResponse,
    /// What it cost, as recorded.
    pub cost: CostId,
}

/// A client whose every call is reserved and settled in the cost ledger.
#[derive(Clone)]
pub struct Metered {
    client: Client,
    costs: Arc<dyn CostStore>,
    prices: Prices,
    limits: Limits,
    actor: String,
}

impl Metered {
    /// Meters `client`'s calls in `costs` under `limits`.
    pub fn new(client: Client, costs: Arc<dyn CostStore>, prices: Prices, limits: Limits) -> Self {
        Self {
            client,
            costs,
            prices,
            limits,
            actor: "llm".to_owned(),
        }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The most `req` can cost: its input (over-estimated at 3 characters a token) and
    /// `max_tokens` of output at the model's price, or the unpriced reservation.
    pub fn estimate(&self, req: &ChatRequest, model: &str) -> f64 {
        match self.prices.get(model) {
            Some(p) => p.cost(req.chars().div_ceil(3) as u64, u64::from(req.max_tokens)),
            None => self.prices.unpriced_reserve_usd,
        }
    }

    /// What a call that used `usage` cost.
    fn actual(
        &self,
        model: &str,
        answered: &str,
        usage: Option<TokenUsage>,
        reserved: f64,
    ) -> Usage {
        let Some(u) = usage else {
            // No usage reported: keep what was reserved rather than guess low.
            return Usage {
                amount_usd: reserved,
                ..Usage::default()
            };
        };
        let amount_usd = u.cost_usd.unwrap_or_else(|| {
            self.prices
                .get(model)
                .or_else(|| self.prices.get(answered))
                .map_or(0.0, |p| p.cost(u.prompt_tokens, u.completion_tokens))
        });
        Usage {
            tokens_in: u.prompt_tokens,
            tokens_out: u.completion_tokens,
            amount_usd,
        }
    }

    /// Reserves, calls and settles. A budget without room is [`LlmError::Budget`] and nothing
    /// is sent.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        purpose: Purpose,
        charge: Charge,
    ) -> Result<MeteredReply, LlmError> {
        let model = self.client.model(req, purpose);
        let reserved = self.estimate(req, &model);
        let reservation = Reservation {
            goal_id: charge.goal_id,
            task_id: charge.task_id,
            category: CostCategory::Llm,
            item: model.clone(),
            purpose: purpose.as_str().to_owned(),
            amount_usd: reserved,
        };
        let id = self
            .costs
            .reserve(&reservation, &self.limits, &self.actor)
            .await?;
        let mut guard = Unsettled {
            costs: Some(self.costs.clone()),
            id,
            reserved,
            actor: self.actor.clone(),
        };
        let result = self.client.chat(req, purpose).await;
        let usage = match &result {
            Ok(r) => self.actual(&model, &r.model, r.usage, reserved),
            Err(e) => failed_usage(e, reserved),
        };
        guard.costs = None;
        self.settle(id, &usage).await;
        result.map(|response| MeteredReply { response, cost: id })
    }

    /// Settles a line; a failure leaves the reservation standing (it keeps counting at the
    /// reserved amount, so budgets stay safe) and is logged.
    async fn settle(&self, id: CostId, usage: &Usage) -> Option<CostRecord> {
        match self.costs.settle(id, usage, &self.actor).await {
            Ok(record) => Some(record),
            Err(e) => {
                tracing::warn!(cost_id = id.0, error = %e, "could not settle an LLM call's cost; its reservation stands");
                None
            }
        }
    }
}

/// What a failed call is settled at: nothing for a refusal or an unreachable server (no answer
/// was made), the reservation for a timeout or an unreadable answer (it may have been billed).
fn failed_usage(e: &LlmError, reserved: f64) -> Usage {
    match e {
        LlmError::Timeout { .. } | LlmError::Malformed { .. } => Usage {
            amount_usd: reserved,
            ..Usage::default()
        },
        LlmError::Status { .. }
        | LlmError::Transport { .. }
        | LlmError::Budget(_)
        | LlmError::Store(_)
        | LlmError::Invalid(_) => Usage::default(),
    }
}

/// Settles a reservation at its reserved amount if the call is dropped before it settles
/// (the task's lease was lost, the process is shutting down).
struct Unsettled {
    costs: Option<Arc<dyn CostStore>>,
    id: CostId,
    reserved: f64,
    actor: String,
}

impl Drop for Unsettled {
    fn drop(&mut self) {
        let Some(costs) = self.costs.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                cost_id = self.id.0,
                "an LLM call was dropped outside a runtime; its reservation stands"
            );
            return;
        };
        let (id, actor) = (self.id, std::mem::take(&mut self.actor));
        let usage = Usage {
            amount_usd: self.reserved,
            ..Usage::default()
        };
        runtime.spawn(async move {
            if let Err(e) = costs.settle(id, &usage, &actor).await {
                tracing::warn!(cost_id = id.0, error = %e, "could not settle a dropped LLM call; its reservation stands");
            }
        });
    }
}
