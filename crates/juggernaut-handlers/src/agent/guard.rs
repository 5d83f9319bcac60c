//! The loop guard: an agent that repeats the same call with the same arguments, or makes no new
//! evidence for several steps, is stopped with that reason instead of spending its limits.

use std::collections::HashMap;

/// Why the guard stopped the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck(pub String);

/// Counts repeated calls and steps without new evidence.
#[derive(Debug)]
pub struct LoopGuard {
    max_repeats: u32,
    max_idle_steps: u32,
    seen: HashMap<(String, String), u32>,
    idle_steps: u32,
}

impl LoopGuard {
    /// A guard allowing the same call `max_repeats` times and `max_idle_steps` steps in a row
    /// without a new successful call.
    pub fn new(max_repeats: u32, max_idle_steps: u32) -> Self {
        Self {
            max_repeats,
            max_idle_steps,
            seen: HashMap::new(),
            idle_steps: 0,
        }
    }

    /// Before a call: refuses one made `max_repeats` times already with these arguments
    /// (compared as canonical JSON, so key order does not matter).
    pub fn call(&mut self, tool: &str, args: &serde_json::Value) -> Result<(), Stuck> {
        let key = (tool.to_owned(), canonical(args));
        let n = self.seen.entry(key).or_insert(0);
        *n += 1;
        if *n > self.max_repeats {
            return Err(Stuck(format!(
                "loop guard: `{tool}` was called {} times with the same arguments",
                *n
            )));
        }
        Ok(())
    }

    /// After a step: whether it made new evidence; too many steps without is stuck.
    pub fn step(&mut self, new_evidence: bool) -> Result<(), Stuck> {
        if new_evidence {
            self.idle_steps = 0;
            return Ok(());
        }
        self.idle_steps += 1;
        if self.idle_steps >= self.max_idle_steps {
            return Err(Stuck(format!(
                "loop guard: no new evidence in {} steps",
                self.idle_steps
            )));
        }
        Ok(())
    }
}

/// JSON with object keys sorted (serde_json's map is sorted without `preserve_order`).
fn canonical(v: &serde_json::Value) -> String {
    v.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeats_and_idle_steps_stop_the_loop() {
        let mut g = LoopGuard::new(2, 3);
        g.call("fs_read", &json!({"path": "a", "x": 1})).unwrap();
        g.call("fs_read", &json!({"x": 1, "path": "a"})).unwrap();
        let stuck = g
            .call("fs_read", &json!({"path": "a", "x": 1}))
            .unwrap_err();
        assert!(stuck.0.contains("3 times"), "{stuck:?}");
        g.call("fs_read", &json!({"path": "b"})).unwrap();
        g.step(false).unwrap();
        g.step(true).unwrap();
        g.step(false).unwrap();
        g.step(false).unwrap();
        assert!(
            g.step(false)
                .unwrap_err()
                .0
                .contains("no new evidence in 3 steps")
        );
    }
}
