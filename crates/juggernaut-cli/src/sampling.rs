//! What the configuration makes of the metric sources: the sampler loop's reader, over the
//! configured data sources (SQLite files, PostgreSQL URLs, each read-only) and JSON over HTTP.
//! Every node gets one, since any node may lead.

use crate::config::Config;
use crate::exit::BadInput;
use async_trait::async_trait;
use juggernaut_core::Goal;
use juggernaut_engine::node::{MetricReader, Sampling};
use juggernaut_sources::{SourceError, Sources};
use std::sync::Arc;

/// Reads a goal's metric through the configured sources.
pub struct SourceReader(Sources);

#[async_trait]
impl MetricReader for SourceReader {
    async fn read(&self, goal: &Goal) -> Result<Option<f64>, String> {
        let Some(target) = &goal.spec.target else {
            return Ok(None);
        };
        match self.0.read(&target.source).await {
            Ok(v) => Ok(Some(v)),
            Err(SourceError::Manual) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl SourceReader {
    /// Closes the sources' connection pools.
    pub async fn close(&self) {
        self.0.close().await;
    }
}

/// The sampler's settings and reader; a `url_env` that is unset or a URL that is wrong is
/// refused naming the source.
pub fn load(cfg: &Config) -> anyhow::Result<(Sampling, Arc<SourceReader>)> {
    let sources = Sources::new(cfg.sources.resolve()?)
        .map_err(|e| BadInput(e.to_string()))?
        .with_timeout(cfg.sources.timeout);
    let reader = Arc::new(SourceReader(sources));
    let sampling = Sampling {
        config: cfg.sources.sampler.clone(),
        reader: reader.clone() as Arc<dyn MetricReader>,
    };
    Ok((sampling, reader))
}
