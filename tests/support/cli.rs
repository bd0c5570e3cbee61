//! What the command-line tests share: checking that a run of the real binary succeeded.

use std::process::Output;

/// The run's stdout, after asserting it succeeded (its stderr is the failure message).
pub fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "loupe failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
