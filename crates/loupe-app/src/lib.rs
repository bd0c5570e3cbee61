//! The Loupe desktop app and the `loupe` command line.
//!
//! This crate is deliberately thin: loading, layout and rendering live in the engine crates
//! (`loupe-data`, `loupe-tsne`, `loupe-render`); here they are wired to threads, widgets and
//! command-line flags. UI code emits [`app::Command`]s instead of mutating engine state, so the
//! same paths serve clicks, keyboard shortcuts and the headless UI tests.

pub mod animate;
pub mod app;
pub mod chips;
pub mod cli;
pub mod demo;
pub mod embed;
pub mod imagery;
pub mod info;
pub mod outlines;
pub mod select;
pub mod similar;
pub mod simulate;
