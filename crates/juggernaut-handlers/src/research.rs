//! `research`: search → fetch → a synthesis that cites what it read. The search and the fetches
//! are deterministic tool calls (`web_search`, `fetch_page`, recorded in the ledger); the model
//! only writes the synthesis from the fetched texts and must cite the pages it used as
//! `[call:ID]` with their URLs. Registered only when an LLM provider is configured.
//!
//! Evidence: the search call and each fetch the synthesis cites. The verifier re-reads them
//! from the ledger, and this kind checks that the synthesis names the URL of every page it
//! cites.
//!
//! Input ([`ResearchInput`]): `question` (1-400 characters, what `web_search` takes), `max_results` (1-10, default 5),
//! `max_pages` (1-5, default 3).

use crate::agent::{Model, cite};
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_handler::outcome::tool_aborted;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_llm::{ChatRequest, Message, Purpose};
use juggernaut_store::ToolCallId;
use juggernaut_tools::Permission;

/// Most characters of one page shown to the model.
const PAGE_CHARS: usize = 6_000;

/// The `research` handler.
pub struct Research {
    model: Model,
}

impl Research {
    /// Research written by `model`.
    pub fn new(model: Model) -> Self {
        Self { model }
    }
}

/// `research`'s input.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchInput {
    /// The question to answer.
    pub question: String,
    /// Search results to ask for (1-10, default 5).
    #[serde(default)]
    pub max_results: Option<u32>,
    /// Pages to read (1-5, default 3).
    #[serde(default)]
    pub max_pages: Option<u32>,
}

impl TaskInput for ResearchInput {
    fn validate(&self) -> Result<(), String> {
        let n = self.question.trim().chars().count();
        // `web_search` takes queries of at most 400 characters.
        if n == 0 || n > 400 {
            return Err(format!("`question` must be 1-400 characters, not {n}"));
        }
        if self.max_results.is_some_and(|r| !(1..=10).contains(&r)) {
            return Err("`max_results` must be 1-10".into());
        }
        if self.max_pages.is_some_and(|p| !(1..=5).contains(&p)) {
            return Err("`max_pages` must be 1-5".into());
        }
        Ok(())
    }
}

/// A page that was read.
struct Page {
    call: ToolCallId,
    url: String,
    text: String,
}

const NET: [Permission; 1] = [Permission::Network];

#[async_trait]
impl Handler for Research {
    fn reach(&self, _input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::research()
    }

    fn kind(&self) -> &'static str {
        "research"
    }

    fn description(&self) -> &'static str {
        "web search, then fetch pages, then a synthesis citing the fetched URLs"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<ResearchInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: ResearchInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("research input: {e}")))?;
        let search = ctx
            .call_tool(
                "web_search",
                serde_json::json!({"query": input.question, "count": input.max_results.unwrap_or(5)}),
                &NET,
            )
            .await?;
        let found = search.outcome.map_err(tool_aborted)?;
        let urls: Vec<String> = found.content["results"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|x| x["url"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let pages = fetch(ctx, &urls, input.max_pages.unwrap_or(3) as usize).await?;
        if pages.is_empty() {
            return Err(HandlerError::retry(format!(
                "research: none of the {} search results could be fetched",
                urls.len()
            )));
        }
        let answer = self.synthesise(ctx, &input.question, &pages).await?;
        let used: Vec<&Page> = cite::cited(&answer)
            .into_iter()
            .filter_map(|id| pages.iter().find(|p| p.call == id))
            .collect();
        let mut evidence = Vec::new();
        if !used.is_empty() {
            evidence.push(Evidence::ToolCall {
                id: search.id.to_string(),
            });
        }
        evidence.extend(used.iter().map(|p| Evidence::ToolCall {
            id: p.call.to_string(),
        }));
        let sources: Vec<_> = used
            .iter()
            .map(|p| serde_json::json!({"call": p.call, "url": p.url}))
            .collect();
        Ok(Outcome::done(
            serde_json::json!({"question": input.question, "answer": answer, "sources": sources}),
            evidence,
        ))
    }

    async fn verify(&self, _ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let answer = done.result["answer"].as_str().unwrap_or_default();
        let sources = done.result["sources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if sources.is_empty() {
            return Err("the synthesis cites no fetched page".into());
        }
        for s in &sources {
            let url = s["url"].as_str().unwrap_or_default();
            if url.is_empty() || !answer.contains(url) {
                return Err(format!(
                    "the synthesis cites call {} but not its URL {url}",
                    s["call"]
                ));
            }
        }
        Ok(())
    }
}

/// Fetches up to `max` of `urls`; a page that cannot be fetched is skipped (it is in the ledger
/// as a failed call).
async fn fetch(ctx: &TaskContext, urls: &[String], max: usize) -> Result<Vec<Page>, HandlerError> {
    let mut pages = Vec::new();
    for url in urls.iter().take(max) {
        let called = ctx
            .call_tool("fetch_page", serde_json::json!({"url": url}), &NET)
            .await?;
        match called.outcome {
            Ok(out) => pages.push(Page {
                call: called.id,
                url: url.clone(),
                text: out.content["text"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(PAGE_CHARS)
                    .collect(),
            }),
            Err(juggernaut_tools::ToolError::Model(_)) => {}
            Err(abort) => return Err(tool_aborted(abort)),
        }
    }
    Ok(pages)
}

impl Research {
    async fn synthesise(
        &self,
        ctx: &TaskContext,
        question: &str,
        pages: &[Page],
    ) -> Result<String, HandlerError> {
        let mut prompt = format!("Question: {question}\n\nSources:\n");
        for p in pages {
            prompt.push_str(&format!("\n[call:{}] {}\n{}\n", p.call, p.url, p.text));
        }
        prompt.push_str(
            "\nAnswer the question from these sources only. After each claim cite its source \
             as [call:ID] followed by its URL. Say so if the sources do not answer it.",
        );
        let prompt = ctx.handles.tools.redactor().text(&prompt);
        let metered = self.model.metered(ctx);
        let req = ChatRequest::new(
            vec![Message::system(crate::agent::SYSTEM), Message::user(prompt)],
            2048,
        );
        let charge = Model::charge(ctx);
        let reply = metered
            .chat(&req, Purpose::Agent, charge)
            .await
            .map_err(crate::agent::tool_loop::llm_failed)?;
        Ok(reply.response.content.unwrap_or_default())
    }
}
