//! The `komora-sync-server` binary run as an operator runs it, for the tests beside this
//! folder: started on a loopback port, its stdout read up to the `listening on` line.

#![allow(dead_code)] // each test file uses part of it

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_komora-sync-server");

pub struct Running {
    child: Child,
    /// What it printed on stdout up to and including `listening on`.
    pub lines: Vec<String>,
    /// As printed: `https://127.0.0.1:PORT`, or `http://...` with `--plain-http`.
    pub url: String,
    /// The `certificate pin:` line's pin, when it serves TLS.
    pub pin: Option<String>,
    /// The `bootstrap code:` line's code, on a store not bootstrapped yet.
    pub bootstrap_code: Option<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Stop the server and wait until it has exited (its port is then free).
    pub fn stop(self) {}

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }
}

/// Start the server with `args` on a free loopback port.
pub fn start(args: &[&str]) -> Running {
    start_on("127.0.0.1:0", args)
}

/// Start the server with `args`, listening on `listen`.
pub fn start_on(listen: &str, args: &[&str]) -> Running {
    // Held by `Running` from the start, so the child is waited for whatever happens below.
    let child = Command::new(BIN)
        .args(args)
        .args(["--listen", listen])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut running = Running {
        child,
        lines: Vec::new(),
        url: String::new(),
        pin: None,
        bootstrap_code: None,
    };
    let mut reader = BufReader::new(running.child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server stopped early: {:?}",
            running.lines
        );
        let line = line.trim_end().to_owned();
        running.lines.push(line.clone());
        if let Some(code) = line.strip_prefix("bootstrap code: ") {
            running.bootstrap_code = Some(code.to_owned());
        } else if let Some(pin) = line.strip_prefix("certificate pin: ") {
            running.pin = Some(pin.to_owned());
        } else if let Some(url) = line.strip_prefix("listening on ") {
            running.url = url.to_owned();
            return running;
        }
    }
}

/// Run the binary to completion (a subcommand) and return its output.
pub fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}
