//! The command line: parse arguments, call the library, map to exit codes
//! (0 clean, 1 problems in the documents, 2 the run itself failed).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use portolan::diagnostics::{count, Severity};
use portolan::landscape::output::{impact_human, impact_json, systems_human, systems_json};
use portolan::report::{self, Format, Summary};
use portolan::scaffold::{self, NewShape};
use portolan::site::{self, BuildOptions, BuildOutcome};
use portolan::{CheckOptions, RunError};

// mimalloc, not glibc's malloc: Pagefind allocates millions of small
// word records per search bucket, and with glibc a 10,000-document build
// spent a third longer indexing and peaked 600 MB higher (bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portolan",
    version,
    about = "Integration documentation: check, build, serve"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate every document and report file:line diagnostics.
    Check {
        /// The site root (holds site.toml and the content dir).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat placeholders as errors and fail on warnings.
        #[arg(long)]
        strict: bool,
    },
    /// Check, then write the static site.
    Build {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output directory (default: output_dir of site.toml, `public`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overrides base_url of site.toml, e.g. for a preview deployment.
        #[arg(long)]
        base_url: Option<String>,
        /// Fail on warnings, and treat placeholders as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Preview the site on 127.0.0.1, rebuilding and reloading on every save.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on; keep the loopback default unless you mean
        /// to share the preview.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the preview in a browser.
        #[arg(long)]
        open: bool,
    },
    /// List every system of the landscape: kind, owner, integrations in and out.
    Systems {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// What a change to one system affects: its integrations, the systems
    /// downstream (what breaks if it goes down) and upstream (what it needs).
    Impact {
        /// A system id, name or alias.
        system: String,
        /// How many hops to follow.
        #[arg(long, default_value_t = 3)]
        depth: usize,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Serve the catalog to AI agents over the Model Context Protocol
    /// (stdio): search, documents, systems, impact, agent briefs, problems.
    Mcp {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Create a document from one of the five templates.
    New {
        #[arg(value_enum)]
        shape: NewShape,
        /// The document's title; its slug names the file.
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    // Before any thread starts: it sets the environment.
    portolan::render::search::configure_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            portolan::errln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Turns transparent huge pages off for this process. mimalloc asks the
/// kernel for them, and a fault on one zeroes 2 MB: on a 6.18 kernel that
/// zeroing was a quarter of a CI build's CPU (`clear_page_erms`), as
/// mimalloc returns and takes memory again. Without them a light 10,000
/// CI build with one document changed took 2.85-3.12 s against
/// 3.04-3.52 s, a cold one 8.6-8.8 s against 9.2-9.4 s, and both peaked
/// 60-90 MB lower (bench/RESULTS.md, twentieth session). Set before the
/// first large allocation: the kernel checks the flag at each fault.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointer; it sets a flag of this
    // process (and of the children it starts) and fails harmlessly where
    // the kernel lacks it.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn use_color_on_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn run(cli: Cli) -> Result<u8, RunError> {
    match cli.command {
        Command::Check {
            root,
            format,
            strict,
        } => {
            let options = CheckOptions {
                strict,
                progress: std::io::stderr().is_terminal(),
                skip_diagrams: false,
                missing_diagrams: portolan::render::diagrams::Missing::Render,
            };
            let (diagnostics, documents) = site::check_report(&root, options)?;
            let summary = Summary { documents };
            portolan::out!(
                "{}",
                report::render(format, &diagnostics, &summary, use_color())
            );
            Ok(exit_code(&diagnostics, strict))
        }
        Command::Build {
            root,
            out,
            base_url,
            strict,
        } => {
            let options = BuildOptions {
                out,
                base_url,
                strict,
                progress: std::io::stderr().is_terminal(),
            };
            let color = use_color_on_stderr();
            install_stop_handler(false);
            match site::build(&root, &options)? {
                BuildOutcome::Rejected {
                    diagnostics,
                    documents,
                } => {
                    let summary = Summary { documents };
                    portolan::err!("{}", report::human(&diagnostics, &summary, color));
                    portolan::errln!("build stopped: nothing was written");
                    Ok(1)
                }
                BuildOutcome::Built { diagnostics, built } => {
                    if !diagnostics.is_empty() {
                        let summary = Summary {
                            documents: built.documents,
                        };
                        portolan::err!("{}", report::human(&diagnostics, &summary, color));
                    }
                    if built.pages == 0 {
                        portolan::outln!(
                            "{} is up to date: {} documents, nothing changed ({:.2}s)",
                            built.out_dir.display(),
                            built.documents,
                            built.elapsed.as_secs_f64()
                        );
                    } else {
                        portolan::outln!(
                            "built {} documents into {} pages in {} ({} warning{}) in {:.2}s",
                            built.documents,
                            built.pages,
                            built.out_dir.display(),
                            diagnostics.len(),
                            if diagnostics.len() == 1 { "" } else { "s" },
                            built.elapsed.as_secs_f64()
                        );
                    }
                    if built.replayed {
                        portolan::outln!(
                            "replayed from the cache: nothing the build reads changed since the build that filled it"
                        );
                    }
                    let d = built.diagrams;
                    if d.total > 0 {
                        portolan::outln!(
                            "diagrams: {} total, {} rendered, {} from cache, {} broken; renderer {}",
                            d.total,
                            d.rendered,
                            d.cached,
                            d.failed,
                            if d.renderer_started { "started" } else { "not started" }
                        );
                    }
                    Ok(0)
                }
            }
        }
        Command::Serve {
            root,
            bind,
            port,
            open,
        } => {
            install_stop_handler(true);
            portolan::serve::run(portolan::serve::ServeOptions {
                root,
                bind,
                port,
                open,
            })?;
            Ok(0)
        }
        Command::Mcp { root } => {
            portolan::mcp::run(&root)?;
            Ok(0)
        }
        Command::Systems { root, format } => {
            let checked = landscape_of(&root)?;
            let text = match format {
                ListFormat::Human => systems_human(&checked.landscape),
                ListFormat::Json => systems_json(&checked.landscape, &checked.catalog),
            };
            portolan::out!("{text}");
            Ok(0)
        }
        Command::Impact {
            system,
            depth,
            root,
            format,
        } => {
            let checked = landscape_of(&root)?;
            let landscape = &checked.landscape;
            let Some(s) = landscape.find(&system) else {
                let hint = match landscape.suggest(&system) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => "; `portolan systems` lists them".to_owned(),
                };
                return Err(RunError(format!(
                    "no system `{system}` in this catalog{hint}"
                )));
            };
            let impact = landscape.impact(s, depth);
            let text = match format {
                ListFormat::Human => impact_human(landscape, &checked.catalog, &impact, depth),
                ListFormat::Json => impact_json(landscape, &checked.catalog, &impact, depth),
            };
            portolan::out!("{text}");
            Ok(0)
        }
        Command::New { shape, title, root } => {
            let config = portolan::Config::load(&root)?;
            let path = scaffold::create(&scaffold::target_dir(&root, &config)?, shape, &title)?;
            portolan::outln!("created {}", path.display());
            Ok(0)
        }
    }
}

/// The catalog and its landscape, without rendering diagrams.
fn landscape_of(root: &std::path::Path) -> Result<portolan::CheckResult, RunError> {
    portolan::check(
        root,
        CheckOptions {
            skip_diagrams: true,
            ..CheckOptions::default()
        },
    )
}

/// Ctrl-C and SIGTERM end `serve` with a message and exit code 0: it keeps
/// the site in memory, so there is nothing to flush. Either ends `build`
/// with 130, as an interrupted command does. Both first remove the search
/// index's scratch folders: exiting runs no destructors.
fn install_stop_handler(serving: bool) {
    let _ = ctrlc::set_handler(move || {
        portolan::render::scratch::remove_scratch_folders();
        if serving {
            portolan::outln!("\nstopped");
            std::process::exit(0);
        }
        std::process::exit(130);
    });
}

fn exit_code(diagnostics: &[portolan::Diagnostic], strict: bool) -> u8 {
    let errors = count(diagnostics, Severity::Error);
    let warnings = count(diagnostics, Severity::Warning);
    u8::from(errors > 0 || (strict && warnings > 0))
}
