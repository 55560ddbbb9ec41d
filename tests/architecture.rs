//! The house drawn from its own imports: every `use` and path of `src/` that names a module
//! of this crate is an arrow from the component that writes it to the component it names.
//! A component is a folder of `src/` (its `mod.rs` and the files beside it), or a file at the
//! root of `src/`; a folder's arrows back to the folders around it are its own business, but
//! no two files may name each other round a circle. The test holds the shape the README's "How it is built" describes:
//! - no circle between components, so each sits on a floor above everything it uses, nor
//!   between the modules (files) inside one;
//! - the command line on top: only `main.rs` uses `cli`, and only `cli` uses clap;
//! - the tools (`tools/`: the stack, the bench, the launcher) are used by the command line
//!   alone, never by the servers they run;
//! - no source file over 400 lines.
//!
//! `cargo test --test architecture -- --nocapture` prints the floors, top first, and each
//! component's arrows. Paths inside macros (`format!`, clap's attributes) are not seen, nor
//! code under `#[cfg(test)]`, which may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use petgraph::algo::{condensation, tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use syn::visit::Visit;

const MAX_LINES: usize = 400;

/// One source file: its module path (`payments::dispatch::drain`) and what it names.
struct Source {
    module: Vec<String>,
    component: String,
    path: PathBuf,
    lines: usize,
    paths: Vec<Vec<String>>,
    uses_clap: bool,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .map(|entry| entry.expect("src/ is readable"))
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
        .map(|entry| {
            let relative = entry.path().strip_prefix(&root).unwrap().to_owned();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", relative.display()));
            let mut names = Names::default();
            names.visit_file(&file);
            let module = module_of(&relative);
            Source {
                component: component_of(&relative),
                module,
                path: relative,
                lines: text.lines().count(),
                paths: names.paths,
                uses_clap: names.clap,
            }
        })
        .collect()
}

/// `a/b/mod.rs` and `a/b.rs` are `a::b`; `lib.rs` is the crate; `main.rs` is `main`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

/// The folder a file lies in, or the file itself at the root of `src/`.
fn component_of(relative: &Path) -> String {
    match relative.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => dir.to_string_lossy().replace('/', "::"),
        None => module_of(relative).join("::"),
    }
}

/// Every path the file writes outside `#[cfg(test)]`, `use` trees flattened.
#[derive(Default)]
struct Names {
    paths: Vec<Vec<String>>,
    clap: bool,
}

impl Names {
    fn note(&mut self, segments: Vec<String>) {
        if segments.first().is_some_and(|first| first == "clap") {
            self.clap = true;
        }
        self.paths.push(segments);
    }

    fn flatten(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.flatten(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                self.note(full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                full.push(rename.ident.to_string());
                self.note(full);
            }
            syn::UseTree::Glob(_) => self.note(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.flatten(prefix, tree);
                }
            }
        }
    }
}

fn under_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Names {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            _ => &Vec::new(),
        };
        if !under_test(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta {
            self.clap |= list.tokens.to_string().contains("clap");
        }
        syn::visit::visit_attribute(self, attr);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.flatten(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.note(
            path.segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect(),
        );
        syn::visit::visit_path(self, path);
    }
}

/// The module a path names, from the file that writes it, if it is one of this crate's.
fn resolve(
    from: &[String],
    path: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let (mut base, rest): (Vec<String>, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "rinha" if from == ["main"] => (Vec::new(), &path[1..]),
        "self" => (from.to_vec(), &path[1..]),
        "super" => {
            let mut base = from.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            (base, rest)
        }
        _ => {
            let mut child = from.to_vec();
            child.push(path[0].clone());
            if !modules.contains(&child) {
                return None;
            }
            (from.to_vec(), path)
        }
    };
    let mut found = None;
    for segment in rest {
        base.push(segment.clone());
        if modules.contains(&base) {
            found = Some(base.clone());
        } else {
            break;
        }
    }
    found
}

/// The arrows between modules (one per file), or between the components they lie in.
fn arrows(sources: &[Source], by_component: bool) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let name = |source: &Source| {
        if by_component {
            source.component.clone()
        } else {
            source.module.join("::")
        }
    };
    let names: BTreeMap<&Vec<String>, String> =
        sources.iter().map(|s| (&s.module, name(s))).collect();
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The crate's root declares the modules and names none.
    for source in sources.iter().filter(|s| !s.module.is_empty()) {
        let from = name(source);
        let entry = arrows.entry(from.clone()).or_default();
        for path in &source.paths {
            match resolve(&source.module, path, &modules) {
                Some(target) if !target.is_empty() && !inside(&from, &names[&target]) => {
                    entry.insert(names[&target].clone());
                }
                _ => {}
            }
        }
    }
    arrows
}

/// Whether `inner` is `outer` or lies inside it: a folder's files may name the folder around
/// them (`super::`) as parts of it; the circles between files are counted module by module.
fn inside(inner: &str, outer: &str) -> bool {
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with("::"))
}

fn circles<'a>(graph: &DiGraph<&'a str, ()>) -> Vec<Vec<&'a str>> {
    tarjan_scc(graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| scc.into_iter().map(|n| graph[n]).collect())
        .collect()
}

fn graph(arrows: &BTreeMap<String, BTreeSet<String>>) -> DiGraph<&str, ()> {
    let mut graph = DiGraph::new();
    let index: BTreeMap<&str, NodeIndex> = arrows
        .keys()
        .map(|name| (name.as_str(), graph.add_node(name.as_str())))
        .collect();
    for (from, tos) in arrows {
        for to in tos {
            graph.add_edge(index[from.as_str()], index[to.as_str()], ());
        }
    }
    graph
}

#[test]
fn no_circle_between_modules_or_components_and_their_floors() {
    let sources = sources();
    let arrows = arrows(&sources, true);
    let graph = graph(&arrows);
    let between_files = graph_circles(&sources);
    let circles = circles(&graph);
    let house = condensation(graph.clone(), true);
    let order = toposort(&house, None).expect("a condensation has no circle");
    let mut floor: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for &node in order.iter().rev() {
        let above = house.neighbors(node).map(|n| floor[&n] + 1).max();
        floor.insert(node, above.unwrap_or(0));
    }
    let top = floor.values().copied().max().unwrap_or(0);
    println!(
        "{} components, {} arrows, {} floors, {} circles between components, {} between modules",
        graph.node_count(),
        graph.edge_count(),
        top + 1,
        circles.len(),
        between_files.len()
    );
    for level in (0..=top).rev() {
        println!("floor {level}:");
        for (node, _) in floor.iter().filter(|(_, f)| **f == level) {
            for name in &house[*node] {
                let index = graph.node_indices().find(|n| graph[*n] == *name).unwrap();
                let mut uses: Vec<&str> = graph.neighbors(index).map(|n| graph[n]).collect();
                uses.sort_unstable();
                println!("  {name} -> {}", uses.join(", "));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "circles between components: {circles:?}"
    );
    assert!(
        between_files.is_empty(),
        "circles between modules: {between_files:?}"
    );
}

fn graph_circles(sources: &[Source]) -> Vec<Vec<String>> {
    let arrows = arrows(sources, false);
    circles(&graph(&arrows))
        .into_iter()
        .map(|circle| circle.into_iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_command_line_is_the_top_floor_and_alone_speaks_clap() {
    let sources = sources();
    let arrows = arrows(&sources, true);
    let into_cli: Vec<&String> = arrows
        .iter()
        .filter(|(from, tos)| *from != "main" && tos.iter().any(|to| to.starts_with("cli")))
        .map(|(from, _)| from)
        .collect();
    assert!(
        into_cli.is_empty(),
        "they use the command line: {into_cli:?}"
    );
    let clap: Vec<&Path> = sources
        .iter()
        .filter(|s| s.uses_clap && !(s.component.starts_with("cli") || s.component == "main"))
        .map(|s| s.path.as_path())
        .collect();
    assert!(clap.is_empty(), "clap below the command line: {clap:?}");
}

#[test]
fn only_the_command_line_uses_the_tools() {
    let arrows = arrows(&sources(), true);
    let into_tools: Vec<(&String, &String)> = arrows
        .iter()
        .filter(|(from, _)| {
            !(from.starts_with("tools") || from.starts_with("cli") || *from == "main")
        })
        .flat_map(|(from, tos)| tos.iter().map(move |to| (from, to)))
        .filter(|(_, to)| to.starts_with("tools"))
        .collect();
    assert!(into_tools.is_empty(), "they use the tools: {into_tools:?}");
}

#[test]
fn no_source_file_is_over_400_lines() {
    let sources = sources();
    let long: Vec<(&Path, usize)> = sources
        .iter()
        .filter(|s| s.lines > MAX_LINES)
        .map(|s| (s.path.as_path(), s.lines))
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}
