//! Typed views over the tree-sitter tree: zero-copy wrappers that name the parts of each
//! directive and go.sum line and give the byte range of every part.
//!
//! A view is a tree-sitter node plus the text it was parsed from; nothing is copied until a
//! caller asks for an unquoted value. Every accessor of a part that broken input may lack returns
//! an `Option` (a MISSING node counts as absent). Directives iterate their specs the same way in
//! the line form (`require a v1.0.0`) and the block form (`require ( ... )`).
//!
//! ```
//! use gomodls_syntax::{FileKind, parse, views::SourceFile};
//! let text = "module example.com/m\n\nrequire (\n\texample.com/a v1.0.0 // indirect\n)\n";
//! let tree = parse(FileKind::GoMod, text.as_bytes());
//! let file = SourceFile::new(&tree, text);
//! let require = file.requires().next().unwrap();
//! assert_eq!(require.path().unwrap().text(), "example.com/a");
//! assert_eq!(require.version().unwrap().range(), 47..53);
//! assert!(require.indirect().is_some());
//! ```

use std::borrow::Cow;
use std::ops::Range;

use tree_sitter::{Node, Tree, TreeCursor};

use crate::module_path::is_directory_path;
use crate::quote;

/// The children of a node, walked with a cursor (linear, unlike indexed access).
struct Children<'a> {
    cursor: TreeCursor<'a>,
    started: bool,
    done: bool,
}

impl<'a> Children<'a> {
    fn of(node: Node<'a>) -> Children<'a> {
        Children {
            cursor: node.walk(),
            started: false,
            done: false,
        }
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if self.done {
            return None;
        }
        let moved = match self.started {
            false => {
                self.started = true;
                self.cursor.goto_first_child()
            }
            true => self.cursor.goto_next_sibling(),
        };
        match moved {
            true => Some(self.cursor.node()),
            false => {
                self.done = true;
                None
            }
        }
    }
}

/// The field `name` of `node`, unless tree-sitter made it up (a MISSING node).
fn field<'a>(node: Node<'a>, name: &str) -> Option<Node<'a>> {
    node.child_by_field_name(name)
        .filter(|child| !child.is_missing())
}

/// The first child of `node` that is the anonymous token `kind`, if present for real.
fn anonymous<'a>(node: Node<'a>, kind: &str) -> Option<Node<'a>> {
    Children::of(node)
        .find(|child| !child.is_named() && !child.is_missing() && child.kind() == kind)
}

/// One token (or one typed value node) with its text.
#[derive(Clone, Copy, Debug)]
pub struct Token<'a> {
    node: Node<'a>,
    source: &'a str,
}

impl<'a> Token<'a> {
    fn new(node: Node<'a>, source: &'a str) -> Token<'a> {
        Token { node, source }
    }

    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// The node kind (`module_path`, `version`, `comment`, ...).
    pub fn kind(&self) -> &'a str {
        self.node.kind()
    }

    /// The bytes of the token.
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }

    /// The token as written, quotes included.
    pub fn text(&self) -> &'a str {
        self.source.get(self.range()).unwrap_or_default()
    }

    /// Whether the token is a quoted string (`"..."` or `` `...` ``).
    pub fn is_quoted(&self) -> bool {
        matches!(
            self.node.named_child(0).map(|child| child.kind()),
            Some("interpreted_string_literal" | "raw_string_literal")
        )
    }

    /// The value the go command reads: the text, unquoted if quoted. `None` for a quoted string
    /// that does not unquote to UTF-8.
    pub fn value(&self) -> Option<Cow<'a, str>> {
        if !self.is_quoted() {
            return Some(Cow::Borrowed(self.text()));
        }
        let bytes = quote::unquote(self.text()).ok()?;
        String::from_utf8(bytes).ok().map(Cow::Owned)
    }
}

/// The kinds of directive of go.mod and go.work files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DirectiveKind {
    /// `module` (go.mod).
    Module,
    /// `go`.
    Go,
    /// `toolchain`.
    Toolchain,
    /// `godebug`.
    Godebug,
    /// `require` (go.mod).
    Require,
    /// `exclude` (go.mod).
    Exclude,
    /// `replace`.
    Replace,
    /// `retract` (go.mod).
    Retract,
    /// `tool` (go.mod).
    Tool,
    /// `ignore` (go.mod).
    Ignore,
    /// `use` (go.work).
    Use,
    /// A verb the grammar does not know.
    Unknown,
}

impl DirectiveKind {
    /// The kind of a directive node, by its tree-sitter kind.
    pub fn from_node_kind(kind: &str) -> Option<DirectiveKind> {
        Some(match kind {
            "module_directive" => DirectiveKind::Module,
            "go_directive" => DirectiveKind::Go,
            "toolchain_directive" => DirectiveKind::Toolchain,
            "godebug_directive" => DirectiveKind::Godebug,
            "require_directive" => DirectiveKind::Require,
            "exclude_directive" => DirectiveKind::Exclude,
            "replace_directive" => DirectiveKind::Replace,
            "retract_directive" => DirectiveKind::Retract,
            "tool_directive" => DirectiveKind::Tool,
            "ignore_directive" => DirectiveKind::Ignore,
            "use_directive" => DirectiveKind::Use,
            "unknown_directive" => DirectiveKind::Unknown,
            _ => return None,
        })
    }

    /// The verb of the directive (`""` for an unknown one).
    pub fn keyword(self) -> &'static str {
        match self {
            DirectiveKind::Module => "module",
            DirectiveKind::Go => "go",
            DirectiveKind::Toolchain => "toolchain",
            DirectiveKind::Godebug => "godebug",
            DirectiveKind::Require => "require",
            DirectiveKind::Exclude => "exclude",
            DirectiveKind::Replace => "replace",
            DirectiveKind::Retract => "retract",
            DirectiveKind::Tool => "tool",
            DirectiveKind::Ignore => "ignore",
            DirectiveKind::Use => "use",
            DirectiveKind::Unknown => "",
        }
    }
}

/// A whole go.mod, go.work or go.sum file.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    node: Node<'a>,
    source: &'a str,
}

impl<'a> SourceFile<'a> {
    /// The view of `tree`, parsed from `source`.
    pub fn new(tree: &'a Tree, source: &'a str) -> SourceFile<'a> {
        SourceFile {
            node: tree.root_node(),
            source,
        }
    }

    /// The root node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// The text the tree was parsed from.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The directives, in file order (go.mod and go.work).
    pub fn directives(&self) -> impl Iterator<Item = Directive<'a>> + use<'a> {
        let source = self.source;
        through_errors(self.node).filter_map(move |node| Directive::cast(node, source))
    }

    /// Every comment of the file in order, `// indirect` markers and deprecation comments
    /// included.
    pub fn comments(&self) -> impl Iterator<Item = Token<'a>> + use<'a> {
        let source = self.source;
        Descendants::of(self.node)
            .filter(|node| {
                matches!(
                    node.kind(),
                    "comment" | "indirect_comment" | "deprecation_comment"
                )
            })
            .map(move |node| Token::new(node, source))
    }

    fn specs_of(&self, kind: DirectiveKind) -> impl Iterator<Item = Spec<'a>> + use<'a> {
        self.directives()
            .filter(move |directive| directive.kind() == kind)
            .flat_map(|directive| directive.specs())
    }

    /// The specs of every `module` directive (go allows only one; broken files may have more).
    pub fn modules(&self) -> impl Iterator<Item = ModuleSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Module)
            .filter_map(|spec| match spec {
                Spec::Module(module) => Some(module),
                _ => None,
            })
    }

    /// Every `go` directive.
    pub fn go_directives(&self) -> impl Iterator<Item = GoDirective<'a>> + use<'a> {
        self.directives().filter_map(|directive| directive.as_go())
    }

    /// Every `toolchain` directive.
    pub fn toolchains(&self) -> impl Iterator<Item = ToolchainDirective<'a>> + use<'a> {
        self.directives()
            .filter_map(|directive| directive.as_toolchain())
    }

    /// Every `godebug` setting, in line and block forms.
    pub fn godebugs(&self) -> impl Iterator<Item = GodebugSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Godebug)
            .filter_map(|spec| match spec {
                Spec::Godebug(godebug) => Some(godebug),
                _ => None,
            })
    }

    /// Every requirement, in line and block forms.
    pub fn requires(&self) -> impl Iterator<Item = RequireSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Require)
            .filter_map(|spec| match spec {
                Spec::Require(require) => Some(require),
                _ => None,
            })
    }

    /// Every exclusion.
    pub fn excludes(&self) -> impl Iterator<Item = ExcludeSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Exclude)
            .filter_map(|spec| match spec {
                Spec::Exclude(exclude) => Some(exclude),
                _ => None,
            })
    }

    /// Every replacement.
    pub fn replaces(&self) -> impl Iterator<Item = ReplaceSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Replace)
            .filter_map(|spec| match spec {
                Spec::Replace(replace) => Some(replace),
                _ => None,
            })
    }

    /// Every retraction.
    pub fn retracts(&self) -> impl Iterator<Item = RetractSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Retract)
            .filter_map(|spec| match spec {
                Spec::Retract(retract) => Some(retract),
                _ => None,
            })
    }

    /// Every tool.
    pub fn tools(&self) -> impl Iterator<Item = ToolSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Tool)
            .filter_map(|spec| match spec {
                Spec::Tool(tool) => Some(tool),
                _ => None,
            })
    }

    /// Every ignored directory.
    pub fn ignores(&self) -> impl Iterator<Item = IgnoreSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Ignore)
            .filter_map(|spec| match spec {
                Spec::Ignore(ignore) => Some(ignore),
                _ => None,
            })
    }

    /// Every `use` of a go.work file.
    pub fn uses(&self) -> impl Iterator<Item = UseSpec<'a>> + use<'a> {
        self.specs_of(DirectiveKind::Use)
            .filter_map(|spec| match spec {
                Spec::Use(use_spec) => Some(use_spec),
                _ => None,
            })
    }

    /// The checksum lines of a go.sum file, in order (malformed lines are ERROR nodes and are
    /// skipped).
    pub fn checksums(&self) -> impl Iterator<Item = SumLine<'a>> + use<'a> {
        let source = self.source;
        through_errors(self.node).filter_map(move |node| SumLine::cast(node, source))
    }
}

/// The nodes under a node in document order (the node itself first), entering only the nodes
/// `enter` accepts (the start node is always entered).
struct Descendants<'a> {
    cursor: TreeCursor<'a>,
    enter: fn(&Node<'a>) -> bool,
    /// How far below the start node the cursor is. Counted here: `TreeCursor::depth` walks the
    /// cursor's stack, which is deep inside a long block (tree-sitter nests the repeated specs
    /// in hidden nodes).
    depth: usize,
    done: bool,
}

impl<'a> Descendants<'a> {
    fn of(node: Node<'a>) -> Descendants<'a> {
        Descendants::entering(node, |_| true)
    }

    fn entering(node: Node<'a>, enter: fn(&Node<'a>) -> bool) -> Descendants<'a> {
        Descendants {
            cursor: node.walk(),
            enter,
            depth: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Descendants<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if self.done {
            return None;
        }
        let node = self.cursor.node();
        let is_start = self.depth == 0;
        if (is_start || (self.enter)(&node)) && self.cursor.goto_first_child() {
            self.depth += 1;
            return Some(node);
        }
        loop {
            if self.depth == 0 {
                self.done = true;
                return Some(node);
            }
            if self.cursor.goto_next_sibling() {
                return Some(node);
            }
            if !self.cursor.goto_parent() {
                self.done = true;
                return Some(node);
            }
            self.depth -= 1;
        }
    }
}

/// The nodes of a level of the tree, looking through the ERROR nodes that tree-sitter's error
/// recovery wraps around good lines.
fn through_errors<'a>(node: Node<'a>) -> impl Iterator<Item = Node<'a>> + use<'a> {
    Descendants::entering(node, |node| node.is_error()).skip(1)
}

/// A directive, in either form.
#[derive(Clone, Copy, Debug)]
pub struct Directive<'a> {
    node: Node<'a>,
    source: &'a str,
    kind: DirectiveKind,
}

impl<'a> Directive<'a> {
    /// The view of a directive node; `None` for any other node.
    pub fn cast(node: Node<'a>, source: &'a str) -> Option<Directive<'a>> {
        let kind = DirectiveKind::from_node_kind(node.kind())?;
        Some(Directive { node, source, kind })
    }

    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// Which directive.
    pub fn kind(&self) -> DirectiveKind {
        self.kind
    }

    /// The bytes of the whole directive (a block form includes its closing parenthesis).
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }

    /// The verb (the first argument of an unknown directive).
    pub fn keyword(&self) -> Option<Token<'a>> {
        let node = match self.kind {
            DirectiveKind::Unknown => field(self.node, "name")?,
            _ => anonymous(self.node, self.kind.keyword())?,
        };
        Some(Token::new(node, self.source))
    }

    /// The block, for the block form (or a block the directive cannot have, whose lines are
    /// plain [`Spec::Line`]s).
    pub fn block(&self) -> Option<Block<'a>> {
        let source = self.source;
        Children::of(self.node)
            .find(|child| child.kind() == "block")
            .map(|node| Block { node, source })
    }

    /// The specs in the line form and in the block form, in order.
    pub fn specs(&self) -> impl Iterator<Item = Spec<'a>> + use<'a> {
        let source = self.source;
        Descendants::entering(self.node, |node| node.kind() == "block" || node.is_error())
            .skip(1)
            .filter_map(move |node| Spec::cast(node, source))
    }

    /// The view of a `go` directive.
    pub fn as_go(&self) -> Option<GoDirective<'a>> {
        (self.kind == DirectiveKind::Go).then_some(GoDirective {
            node: self.node,
            source: self.source,
        })
    }

    /// The view of a `toolchain` directive.
    pub fn as_toolchain(&self) -> Option<ToolchainDirective<'a>> {
        (self.kind == DirectiveKind::Toolchain).then_some(ToolchainDirective {
            node: self.node,
            source: self.source,
        })
    }

    /// The tokens after the verb that mean nothing here (an unknown directive's words, the
    /// surplus of `go 1.21 extra`).
    pub fn arguments(&self) -> impl Iterator<Item = Token<'a>> + use<'a> {
        let name = match self.kind {
            DirectiveKind::Unknown => field(self.node, "name").map(|name| name.id()),
            _ => None,
        };
        arguments(self.node, self.source).filter(move |token| Some(token.node.id()) != name)
    }
}

fn arguments<'a>(node: Node<'a>, source: &'a str) -> impl Iterator<Item = Token<'a>> + use<'a> {
    Children::of(node)
        .filter(|child| child.kind() == "argument" && !child.is_missing())
        .map(move |child| Token::new(child, source))
}

/// The `( ... )` of a block form.
#[derive(Clone, Copy, Debug)]
pub struct Block<'a> {
    node: Node<'a>,
    source: &'a str,
}

impl<'a> Block<'a> {
    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// From `(` to `)`.
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }

    /// The opening parenthesis.
    pub fn open(&self) -> Option<Range<usize>> {
        anonymous(self.node, "(").map(|node| node.byte_range())
    }

    /// The closing parenthesis, if the block is closed.
    pub fn close(&self) -> Option<Range<usize>> {
        anonymous(self.node, ")").map(|node| node.byte_range())
    }

    /// The specs (and plain lines) of the block, in order.
    pub fn specs(&self) -> impl Iterator<Item = Spec<'a>> + use<'a> {
        let source = self.source;
        through_errors(self.node).filter_map(move |node| Spec::cast(node, source))
    }
}

/// One entry of a directive: the whole line form, or one line of a block.
#[derive(Clone, Copy, Debug)]
pub enum Spec<'a> {
    /// `module PATH`.
    Module(ModuleSpec<'a>),
    /// `godebug KEY=VALUE`.
    Godebug(GodebugSpec<'a>),
    /// `require PATH VERSION`.
    Require(RequireSpec<'a>),
    /// `exclude PATH VERSION`.
    Exclude(ExcludeSpec<'a>),
    /// `replace PATH [VERSION] => NEW [VERSION]`.
    Replace(ReplaceSpec<'a>),
    /// `retract VERSION` or `retract [LOW, HIGH]`.
    Retract(RetractSpec<'a>),
    /// `tool PATH`.
    Tool(ToolSpec<'a>),
    /// `ignore PATH`.
    Ignore(IgnoreSpec<'a>),
    /// `use PATH`.
    Use(UseSpec<'a>),
    /// A line of a block the directive cannot have: only arguments.
    Line(LineSpec<'a>),
}

impl<'a> Spec<'a> {
    /// The view of a spec node; `None` for any other node.
    pub fn cast(node: Node<'a>, source: &'a str) -> Option<Spec<'a>> {
        Some(match node.kind() {
            "module_spec" => Spec::Module(ModuleSpec { node, source }),
            "godebug_spec" => Spec::Godebug(GodebugSpec { node, source }),
            "require_spec" => Spec::Require(RequireSpec { node, source }),
            "exclude_spec" => Spec::Exclude(ExcludeSpec { node, source }),
            "replace_spec" => Spec::Replace(ReplaceSpec { node, source }),
            "retract_spec" => Spec::Retract(RetractSpec { node, source }),
            "tool_spec" => Spec::Tool(ToolSpec { node, source }),
            "ignore_spec" => Spec::Ignore(IgnoreSpec { node, source }),
            "use_spec" => Spec::Use(UseSpec { node, source }),
            "line" => Spec::Line(LineSpec { node, source }),
            _ => return None,
        })
    }

    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        match self {
            Spec::Module(spec) => spec.node,
            Spec::Godebug(spec) => spec.node,
            Spec::Require(spec) => spec.node,
            Spec::Exclude(spec) => spec.node,
            Spec::Replace(spec) => spec.node,
            Spec::Retract(spec) => spec.node,
            Spec::Tool(spec) => spec.node,
            Spec::Ignore(spec) => spec.node,
            Spec::Use(spec) => spec.node,
            Spec::Line(spec) => spec.node,
        }
    }

    /// The bytes of the spec (without its comment, apart from `// indirect`).
    pub fn range(&self) -> Range<usize> {
        self.node().byte_range()
    }
}

/// Defines a view struct over a spec node with the accessors every spec has.
macro_rules! spec_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            node: Node<'a>,
            source: &'a str,
        }

        impl<'a> $name<'a> {
            /// The tree-sitter node.
            pub fn node(&self) -> Node<'a> {
                self.node
            }

            /// The bytes of the spec.
            pub fn range(&self) -> Range<usize> {
                self.node.byte_range()
            }

            /// Surplus tokens that mean nothing here.
            pub fn arguments(&self) -> impl Iterator<Item = Token<'a>> + use<'a> {
                arguments(self.node, self.source)
            }

            #[allow(dead_code, reason = "not every view has this field")]
            fn field(&self, name: &str) -> Option<Token<'a>> {
                field(self.node, name).map(|node| Token::new(node, self.source))
            }
        }
    };
}

spec_view!(
    /// `module PATH`.
    ModuleSpec
);
spec_view!(
    /// `godebug KEY=VALUE`.
    GodebugSpec
);
spec_view!(
    /// `require PATH VERSION [// indirect]`.
    RequireSpec
);
spec_view!(
    /// `exclude PATH VERSION`.
    ExcludeSpec
);
spec_view!(
    /// `replace PATH [VERSION] => NEW [VERSION]`.
    ReplaceSpec
);
spec_view!(
    /// `retract VERSION` or `retract [LOW, HIGH]`.
    RetractSpec
);
spec_view!(
    /// `tool PATH`.
    ToolSpec
);
spec_view!(
    /// `ignore PATH`.
    IgnoreSpec
);
spec_view!(
    /// `use PATH`.
    UseSpec
);
spec_view!(
    /// A line of plain arguments.
    LineSpec
);
spec_view!(
    /// A `go VERSION` directive.
    GoDirective
);
spec_view!(
    /// A `toolchain NAME` directive.
    ToolchainDirective
);

impl<'a> ModuleSpec<'a> {
    /// The module path.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }
}

impl<'a> GoDirective<'a> {
    /// The Go version.
    pub fn version(&self) -> Option<Token<'a>> {
        self.field("version")
    }
}

impl<'a> ToolchainDirective<'a> {
    /// The toolchain name.
    pub fn name(&self) -> Option<Token<'a>> {
        self.field("name")
    }
}

impl<'a> GodebugSpec<'a> {
    /// The key, before `=`.
    pub fn key(&self) -> Option<Token<'a>> {
        self.field("key")
    }

    /// The `=` between key and value.
    pub fn equals(&self) -> Option<Range<usize>> {
        anonymous(self.node, "=").map(|node| node.byte_range())
    }

    /// The value, after `=`.
    pub fn value(&self) -> Option<Token<'a>> {
        self.field("value")
    }
}

impl<'a> RequireSpec<'a> {
    /// The module path.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }

    /// The version.
    pub fn version(&self) -> Option<Token<'a>> {
        self.field("version")
    }

    /// The `// indirect` comment, when go would read the requirement as indirect.
    pub fn indirect(&self) -> Option<Token<'a>> {
        self.field("indirect")
    }
}

impl<'a> ExcludeSpec<'a> {
    /// The module path.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }

    /// The version.
    pub fn version(&self) -> Option<Token<'a>> {
        self.field("version")
    }
}

/// The right-hand side of a replacement: a module path or a directory.
#[derive(Clone, Copy, Debug)]
pub struct Replacement<'a> {
    token: Token<'a>,
}

impl<'a> Replacement<'a> {
    /// The token.
    pub fn token(&self) -> Token<'a> {
        self.token
    }

    /// Whether the replacement is a directory (`./x`, `../x`, `/x`, `C:\x`, ...), as go decides
    /// it from the unquoted value.
    pub fn is_directory(&self) -> bool {
        self.token
            .value()
            .is_some_and(|value| is_directory_path(&value))
    }
}

impl<'a> ReplaceSpec<'a> {
    /// The replaced module path.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }

    /// The replaced version, if only one version is replaced.
    pub fn version(&self) -> Option<Token<'a>> {
        self.field("version")
    }

    /// The `=>`.
    pub fn arrow(&self) -> Option<Range<usize>> {
        anonymous(self.node, "=>").map(|node| node.byte_range())
    }

    /// The replacement module path or directory.
    pub fn replacement(&self) -> Option<Replacement<'a>> {
        self.field("replacement").map(|token| Replacement { token })
    }

    /// The version of a replacement module.
    pub fn replacement_version(&self) -> Option<Token<'a>> {
        self.field("replacement_version")
    }
}

/// `[LOW, HIGH]` of a retraction.
#[derive(Clone, Copy, Debug)]
pub struct VersionInterval<'a> {
    node: Node<'a>,
    source: &'a str,
}

impl<'a> VersionInterval<'a> {
    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// From `[` to `]` (or as far as the interval goes).
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }

    /// The `[`.
    pub fn open(&self) -> Option<Range<usize>> {
        anonymous(self.node, "[").map(|node| node.byte_range())
    }

    /// The lower bound.
    pub fn low(&self) -> Option<Token<'a>> {
        field(self.node, "low").map(|node| Token::new(node, self.source))
    }

    /// The `,`.
    pub fn comma(&self) -> Option<Range<usize>> {
        anonymous(self.node, ",").map(|node| node.byte_range())
    }

    /// The upper bound.
    pub fn high(&self) -> Option<Token<'a>> {
        field(self.node, "high").map(|node| Token::new(node, self.source))
    }

    /// The `]`.
    pub fn close(&self) -> Option<Range<usize>> {
        anonymous(self.node, "]").map(|node| node.byte_range())
    }
}

impl<'a> RetractSpec<'a> {
    /// The single retracted version (`retract v1.0.0`).
    pub fn version(&self) -> Option<Token<'a>> {
        self.field("version")
    }

    /// The interval (`retract [v1.0.0, v1.1.0]`).
    pub fn interval(&self) -> Option<VersionInterval<'a>> {
        let source = self.source;
        Children::of(self.node)
            .find(|child| child.kind() == "version_interval")
            .map(|node| VersionInterval { node, source })
    }

    /// Every version the spec names: the single version, or the bounds of the interval.
    pub fn versions(&self) -> impl Iterator<Item = Token<'a>> + use<'a> {
        let interval = self.interval();
        self.version()
            .into_iter()
            .chain(interval.and_then(|interval| interval.low()))
            .chain(interval.and_then(|interval| interval.high()))
    }
}

impl<'a> ToolSpec<'a> {
    /// The package path of the tool.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }
}

impl<'a> IgnoreSpec<'a> {
    /// The ignored directory.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }
}

impl<'a> UseSpec<'a> {
    /// The module directory.
    pub fn path(&self) -> Option<Token<'a>> {
        self.field("path")
    }
}

/// A `PATH VERSION[/go.mod] HASH` line of a go.sum file.
#[derive(Clone, Copy, Debug)]
pub struct SumLine<'a> {
    node: Node<'a>,
    source: &'a str,
}

/// The hash of a go.sum line: `ALGORITHM:VALUE`.
#[derive(Clone, Copy, Debug)]
pub struct SumHash<'a> {
    node: Node<'a>,
    source: &'a str,
}

/// A part of a go.sum hash: its algorithm or its encoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashPart<'a> {
    text: &'a str,
    range: Range<usize>,
}

impl<'a> HashPart<'a> {
    /// The part as written.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The bytes of the part.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }
}

impl<'a> SumLine<'a> {
    /// The view of a `checksum` node.
    pub fn cast(node: Node<'a>, source: &'a str) -> Option<SumLine<'a>> {
        (node.kind() == "checksum").then_some(SumLine { node, source })
    }

    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// The bytes of the line, with its line break (the tree's `checksum` node ends with the hash;
    /// the blanks and the line break after it, or the blanks that end the file, are added here).
    pub fn range(&self) -> Range<usize> {
        let range = self.node.byte_range();
        let rest = self.source.get(range.end..).unwrap_or_default();
        let blanks = rest.len() - rest.trim_start_matches(is_sum_blank).len();
        let after_blanks = range.end + blanks;
        let end = match rest.as_bytes().get(blanks) {
            Some(b'\n') => after_blanks + 1,
            _ => after_blanks,
        };
        range.start..end
    }

    /// The module path.
    pub fn path(&self) -> Option<Token<'a>> {
        field(self.node, "path").map(|node| Token::new(node, self.source))
    }

    /// The version, without `/go.mod`.
    pub fn version(&self) -> Option<Token<'a>> {
        field(self.node, "version").map(|node| Token::new(node, self.source))
    }

    /// The `/go.mod` suffix of a go.mod checksum.
    pub fn go_mod(&self) -> Option<Range<usize>> {
        field(self.node, "go_mod").map(|node| node.byte_range())
    }

    /// Whether the line is the checksum of the version's go.mod file alone.
    pub fn is_go_mod(&self) -> bool {
        self.go_mod().is_some()
    }

    /// The hash.
    pub fn hash(&self) -> Option<SumHash<'a>> {
        let source = self.source;
        field(self.node, "hash").map(|node| SumHash { node, source })
    }
}

/// White space inside a go.sum line: go's `unicode.IsSpace` without the line break.
fn is_sum_blank(c: char) -> bool {
    c != '\n' && quote::is_space(c)
}

impl<'a> SumHash<'a> {
    /// The view of a `hash` node of a go.sum tree.
    pub fn cast(node: Node<'a>, source: &'a str) -> Option<SumHash<'a>> {
        (node.kind() == "hash").then_some(SumHash { node, source })
    }

    /// The tree-sitter node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// The bytes of the hash.
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }

    /// The whole hash as written.
    pub fn text(&self) -> &'a str {
        self.source.get(self.range()).unwrap_or_default()
    }

    /// Where the hash splits: the byte offset in its text of the first `:` after its first byte.
    /// The hash is one token in the tree; this is where the grammar's documentation puts the split.
    fn colon(&self) -> Option<usize> {
        let text = self.text();
        let first = text.chars().next()?.len_utf8();
        text.get(first..)?.find(':').map(|at| first + at)
    }

    /// The algorithm before `:` (`h1`); `None` when the hash has no `:` after its first byte.
    pub fn algorithm(&self) -> Option<HashPart<'a>> {
        let colon = self.colon()?;
        let start = self.range().start;
        Some(HashPart {
            text: self.text().get(..colon)?,
            range: start..start + colon,
        })
    }

    /// The encoded value after `:` (the whole hash when it has no algorithm); `None` when nothing
    /// follows the `:`.
    pub fn value(&self) -> Option<HashPart<'a>> {
        let range = self.range();
        let from = self.colon().map_or(0, |colon| colon + 1);
        let text = self.text().get(from..)?;
        (!text.is_empty()).then(|| HashPart {
            text,
            range: range.start + from..range.end,
        })
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::{FileKind, parse};

    /// Renders every view of a file: each part as `name text@range`.
    fn render(kind: FileKind, text: &str) -> String {
        let tree = parse(kind, text.as_bytes());
        let file = SourceFile::new(&tree, text);
        let mut out = String::new();
        let part = |name: &str, token: Option<Token<'_>>| match token {
            Some(token) => format!(
                " {name}={}@{}..{}{}",
                token.text(),
                token.range().start,
                token.range().end,
                match token.is_quoted() {
                    true => format!("({:?})", token.value()),
                    false => String::new(),
                }
            ),
            None => format!(" {name}=None"),
        };
        let span = |name: &str, range: Option<Range<usize>>| match range {
            Some(range) => format!(" {name}@{}..{}", range.start, range.end),
            None => String::new(),
        };
        for directive in file.directives() {
            out.push_str(&format!(
                "{:?}{}{}",
                directive.kind(),
                part("keyword", directive.keyword()),
                match directive.block() {
                    Some(block) => format!(
                        " block{}{}",
                        span("open", block.open()),
                        span("close", block.close())
                    ),
                    None => String::new(),
                }
            ));
            if let Some(go) = directive.as_go() {
                out.push_str(&part("version", go.version()));
            }
            if let Some(toolchain) = directive.as_toolchain() {
                out.push_str(&part("name", toolchain.name()));
            }
            for argument in directive.arguments() {
                out.push_str(&part("argument", Some(argument)));
            }
            out.push('\n');
            for spec in directive.specs() {
                out.push_str("  ");
                match spec {
                    Spec::Module(spec) => out.push_str(&part("path", spec.path())),
                    Spec::Godebug(spec) => {
                        out.push_str(&part("key", spec.key()));
                        out.push_str(&span("equals", spec.equals()));
                        out.push_str(&part("value", spec.value()));
                    }
                    Spec::Require(spec) => {
                        out.push_str(&part("path", spec.path()));
                        out.push_str(&part("version", spec.version()));
                        if spec.indirect().is_some() {
                            out.push_str(&part("indirect", spec.indirect()));
                        }
                    }
                    Spec::Exclude(spec) => {
                        out.push_str(&part("path", spec.path()));
                        out.push_str(&part("version", spec.version()));
                    }
                    Spec::Replace(spec) => {
                        out.push_str(&part("path", spec.path()));
                        out.push_str(&part("version", spec.version()));
                        out.push_str(&span("arrow", spec.arrow()));
                        let replacement = spec.replacement();
                        out.push_str(&part(
                            "replacement",
                            replacement.map(|replacement| replacement.token()),
                        ));
                        if replacement.is_some_and(|replacement| replacement.is_directory()) {
                            out.push_str(" (directory)");
                        }
                        out.push_str(&part("replacement_version", spec.replacement_version()));
                    }
                    Spec::Retract(spec) => {
                        out.push_str(&part("version", spec.version()));
                        if let Some(interval) = spec.interval() {
                            out.push_str(&span(" [", interval.open()));
                            out.push_str(&part("low", interval.low()));
                            out.push_str(&span(",", interval.comma()));
                            out.push_str(&part("high", interval.high()));
                            out.push_str(&span("]", interval.close()));
                        }
                    }
                    Spec::Tool(spec) => out.push_str(&part("path", spec.path())),
                    Spec::Ignore(spec) => out.push_str(&part("path", spec.path())),
                    Spec::Use(spec) => out.push_str(&part("path", spec.path())),
                    Spec::Line(_) => out.push_str(" line"),
                }
                let arguments: Vec<Token<'_>> = match spec {
                    Spec::Require(spec) => spec.arguments().collect(),
                    Spec::Replace(spec) => spec.arguments().collect(),
                    Spec::Retract(spec) => spec.arguments().collect(),
                    Spec::Line(spec) => spec.arguments().collect(),
                    _ => Vec::new(),
                };
                for argument in arguments {
                    out.push_str(&part("argument", Some(argument)));
                }
                out.push('\n');
            }
        }
        for line in file.checksums() {
            out.push_str("sum");
            out.push_str(&part("path", line.path()));
            out.push_str(&part("version", line.version()));
            out.push_str(&span("go.mod", line.go_mod()));
            match line.hash() {
                Some(hash) => {
                    for (name, hash_part) in
                        [("algorithm", hash.algorithm()), ("value", hash.value())]
                    {
                        out.push_str(&match hash_part {
                            Some(hash_part) => format!(
                                " {name}={}@{}..{}",
                                hash_part.text(),
                                hash_part.range().start,
                                hash_part.range().end
                            ),
                            None => format!(" {name}=None"),
                        });
                    }
                }
                None => out.push_str(" hash=None"),
            }
            out.push('\n');
        }
        let comments: Vec<String> = file
            .comments()
            .map(|comment| format!("{}:{}", comment.kind(), comment.text()))
            .collect();
        if !comments.is_empty() {
            out.push_str(&format!("comments {comments:?}\n"));
        }
        out
    }

    fn check(kind: FileKind, text: &str, expected: Expect) {
        expected.assert_eq(&render(kind, text));
    }

    #[test]
    fn every_gomod_directive_in_line_and_block_forms() {
        check(
            FileKind::GoMod,
            r#"// Deprecated: use example.com/n.
module "example.com/m"
go 1.21 extra
toolchain go1.22.1
godebug default=go1.21
godebug (
	panicnil=1
	novalue=
)
require example.com/a v1.0.0
require (
	example.com/b v1.2.0 // indirect
	example.com/c
)
exclude example.com/a v0.9.0
replace (
	example.com/a v1.0.0 => ./a
	example.com/b => example.com/c v1.1.0
	example.com/d => "../with space"
	example.com/e =>
)
retract [v1.0.0, v1.1.0] // broken
retract (
	v0.1.0
	[v0.2.0,
)
tool example.com/m/cmd/x
ignore ./node_modules
frobnicate a b
"#,
            expect![[r#"
                Module keyword=module@34..40
                   path="example.com/m"@41..56(Some("example.com/m"))
                Go keyword=go@57..59 version=1.21@60..64 argument=extra@65..70
                Toolchain keyword=toolchain@71..80 name=go1.22.1@81..89
                Godebug keyword=godebug@90..97
                   key=default@98..105 equals@105..106 value=go1.21@106..112
                Godebug keyword=godebug@113..120 block open@121..122 close@145..146
                   key=panicnil@124..132 equals@132..133 value=1@133..134
                   key=novalue@136..143 equals@143..144 value=None
                Require keyword=require@147..154
                   path=example.com/a@155..168 version=v1.0.0@169..175
                Require keyword=require@176..183 block open@184..185 close@235..236
                   path=example.com/b@187..200 version=v1.2.0@201..207 indirect=// indirect@208..219
                   path=example.com/c@221..234 version=None
                Exclude keyword=exclude@237..244
                   path=example.com/a@245..258 version=v0.9.0@259..265
                Replace keyword=replace@266..273 block open@274..275 close@396..397
                   path=example.com/a@277..290 version=v1.0.0@291..297 arrow@298..300 replacement=./a@301..304 (directory) replacement_version=None
                   path=example.com/b@306..319 version=None arrow@320..322 replacement=example.com/c@323..336 replacement_version=v1.1.0@337..343
                   path=example.com/d@345..358 version=None arrow@359..361 replacement="../with space"@362..377(Some("../with space")) (directory) replacement_version=None
                   path=example.com/e@379..392 version=None arrow@393..395 replacement=None replacement_version=None
                Retract keyword=retract@398..405
                   version=None  [@406..407 low=v1.0.0@407..413 ,@413..414 high=v1.1.0@415..421 ]@421..422
                Retract keyword=retract@433..440 block open@441..442 close@461..462
                   version=v0.1.0@444..450
                   version=None  [@452..453 low=v0.2.0@453..459 ,@459..460 high=None
                Tool keyword=tool@463..467
                   path=example.com/m/cmd/x@468..487
                Ignore keyword=ignore@488..494
                   path=./node_modules@495..509
                Unknown keyword=frobnicate@510..520 argument=a@521..522 argument=b@523..524
                comments ["deprecation_comment:// Deprecated: use example.com/n.", "indirect_comment:// indirect", "comment:// broken"]
            "#]],
        );
    }

    #[test]
    fn gowork_directives() {
        check(
            FileKind::GoWork,
            "go 1.22\r\nuse (\r\n\t./a\r\n\t\"./é b\"\r\n)\r\nuse ../c\r\nreplace x.org/m => ../m\r\n",
            expect![[r#"
                Go keyword=go@0..2 version=1.22@3..7
                Use keyword=use@9..12 block open@13..14 close@33..34
                   path=./a@17..20
                   path="./é b"@23..31(Some("./é b"))
                Use keyword=use@36..39
                   path=../c@40..44
                Replace keyword=replace@46..53
                   path=x.org/m@54..61 version=None arrow@62..64 replacement=../m@65..69 (directory) replacement_version=None
            "#]],
        );
    }

    #[test]
    fn broken_input_is_data() {
        check(
            FileKind::GoMod,
            "require (\n\texample.com/a v1 v2\n\t( b\nmodule\ngo (\n\t1.21\n)\nreplace x => \n",
            expect![[r#"
                Require keyword=require@0..7 block open@8..9 close@54..55
                   path=example.com/a@11..24 version=v1@25..27 argument=v2@28..30
                   path=None version=None argument=(@32..33 argument=b@34..35
                   path=module@36..42 version=None
                   path=go@43..45 version=None argument=(@46..47
                   path=1.21@49..53 version=None
                Replace keyword=replace@56..63
                   path=x@64..65 version=None arrow@66..68 replacement=None replacement_version=None
            "#]],
        );
    }

    #[test]
    fn gosum_lines() {
        check(
            FileKind::GoSum,
            "example.com/a v1.0.0 h1:abc=\r\nexample.com/a v1.0.0/go.mod h1:def=\nbroken line\nexample.com/é v0.0.0-20230102030405-abcdefabcdef plain\n",
            expect![[r#"
                sum path=example.com/a@0..13 version=v1.0.0@14..20 algorithm=h1@21..23 value=abc=@24..28
                sum path=example.com/a@30..43 version=v1.0.0@44..50 go.mod@50..57 algorithm=h1@58..60 value=def=@61..65
                sum path=example.com/é@78..92 version=v0.0.0-20230102030405-abcdefabcdef@93..127 algorithm=None value=plain@128..133
            "#]],
        );
    }
}
