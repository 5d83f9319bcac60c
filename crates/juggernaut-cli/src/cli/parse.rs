//! Number parsing with stated ranges, for every numeric flag.

/// Longest `--delay-secs`: ten years.
pub const MAX_DELAY_SECS: u64 = 315_360_000;
/// Most attempts a task may have.
pub const MAX_ATTEMPTS: u32 = juggernaut_core::task::MAX_ATTEMPTS_LIMIT;
/// Most tasks a benchmark run may enqueue.
pub const MAX_BENCH_TASKS: u64 = 10_000_000;

/// A parser for whole numbers in `min..=max` whose errors state the range (clap prints them with
/// the flag's name and exits 2). Negative input reaches it (`allow_negative_numbers`), so `-5`
/// is told it is below the range rather than taken for a flag.
pub fn ranged<T>(
    min: impl Into<i128>,
    max: impl Into<i128>,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<i128>,
{
    let (min, max) = (min.into(), max.into());
    move |text: &str| {
        let n: i128 = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a whole number (use {min} to {max})"))?;
        if n < min || n > max {
            return Err(format!("{n} is out of range: use {min} to {max}"));
        }
        T::try_from(n).map_err(|_| format!("{n} is out of range: use {min} to {max}"))
    }
}

/// A parser for ids: whole numbers from 1.
pub fn id_parser() -> impl Fn(&str) -> Result<i64, String> + Clone + Send + Sync + 'static {
    ranged::<i64>(1, i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::super::Cli::command().debug_assert();
    }

    #[test]
    fn ranges_are_stated() {
        let p = ranged::<u64>(0, MAX_DELAY_SECS);
        assert_eq!(p("5"), Ok(5));
        assert_eq!(
            p("-5").unwrap_err(),
            "-5 is out of range: use 0 to 315360000"
        );
        assert!(
            p("18446744073709551615")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(p("1e3").unwrap_err().contains("not a whole number"));
        assert!(
            p("99999999999999999999999999999999999999999")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert_eq!(
            id_parser()("0").unwrap_err(),
            format!("0 is out of range: use 1 to {}", i64::MAX)
        );
    }
}
