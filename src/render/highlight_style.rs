//! How highlighted code looks, and the stylesheet that makes it so.
//!
//! Each run of code that looks the same gets one span, whose classes name
//! its colour and font in the light theme (`l3`, `li`) and in the dark one
//! (`d7`). syntect's own HTML nests a span per scope, with class lists
//! such as `hl-entity hl-name hl-tag`, often splitting one word in two:
//! that was nine tenths of a code-heavy page, written, hashed, indexed and
//! sent for every page. The themes' colours are resolved here, once per
//! token, the way syntect's `Highlighter` resolves them (so a page shows
//! exactly the theme, not an approximation of it by CSS specificity).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{Scope, ScopeStack, ScopeStackOp};

/// One theme, the colours its rules name, and the class prefix of its
/// runs.
pub(super) struct Palette {
    #[cfg(test)]
    theme: &'static Theme,
    highlighter: Highlighter<'static>,
    /// Every other colour a rule names, in the theme's order: a class is
    /// its index, so it stays put while the theme does.
    colours: Vec<Color>,
    index: HashMap<Color, u16>,
    prefix: char,
    /// The code background under this theme (style.css's `--code-bg`).
    background: [u8; 3],
    /// The scopes where this theme applies (see `LIGHT_CHOSEN`).
    scopes: [&'static str; 2],
}

static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

fn theme(name: &str) -> &'static Theme {
    static EMPTY: LazyLock<Theme> = LazyLock::new(Theme::default);
    THEMES.themes.get(name).unwrap_or(&EMPTY)
}

/// Where each theme applies: the reader's choice (the `data-theme`
/// attribute the page's head script sets before first paint), else the
/// system's scheme. Both themes are scoped, so a light rule can never
/// leak its colour into dark mode.
const LIGHT_CHOSEN: &str = ":root[data-theme=\"light\"]";
const DARK_CHOSEN: &str = ":root[data-theme=\"dark\"]";
const LIGHT_AUTO: &str = ":root:not([data-theme=\"dark\"])";
const DARK_AUTO: &str = ":root:not([data-theme=\"light\"])";

/// The theme's `--code-bg` in light and dark mode (style.css).
const LIGHT_CODE_BG: [u8; 3] = [0xf6, 0xf8, 0xfa];
const DARK_CODE_BG: [u8; 3] = [0x1b, 0x23, 0x30];

pub(super) static LIGHT: LazyLock<Palette> = LazyLock::new(|| {
    Palette::new(
        theme("InspiredGitHub"),
        'l',
        LIGHT_CODE_BG,
        [LIGHT_CHOSEN, LIGHT_AUTO],
    )
});
pub(super) static DARK: LazyLock<Palette> = LazyLock::new(|| {
    Palette::new(
        theme("base16-ocean.dark"),
        'd',
        DARK_CODE_BG,
        [DARK_CHOSEN, DARK_AUTO],
    )
});

/// How one run of code looks in one theme.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(super) struct Paint {
    /// Index into the palette's colours; None for the page's text colour.
    colour: Option<u16>,
    font: FontStyle,
}

/// How one run of code looks in both themes.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(super) struct Look {
    light: Paint,
    dark: Paint,
}

/// The font classes, after the theme's prefix: bold, italic, underline.
const FONTS: [(FontStyle, char, &str); 3] = [
    (FontStyle::BOLD, 'b', "font-weight: bold;"),
    (FontStyle::ITALIC, 'i', "font-style: italic;"),
    (FontStyle::UNDERLINE, 'u', "text-decoration: underline;"),
];

impl Palette {
    fn new(
        theme: &'static Theme,
        prefix: char,
        background: [u8; 3],
        scopes: [&'static str; 2],
    ) -> Palette {
        // The theme's default text colour is left to the page's own.
        let default = theme.settings.foreground.unwrap_or(Color::BLACK);
        let mut colours = Vec::new();
        let mut index = HashMap::new();
        for colour in theme.scopes.iter().filter_map(|item| item.style.foreground) {
            if colour != default && !index.contains_key(&colour) {
                index.insert(colour, colours.len() as u16);
                colours.push(colour);
            }
        }
        Palette {
            #[cfg(test)]
            theme,
            highlighter: Highlighter::new(theme),
            colours,
            index,
            prefix,
            background,
            scopes,
        }
    }

    fn paint(&self, style: &Style) -> Paint {
        Paint {
            colour: self.index.get(&style.foreground).copied(),
            font: style.font_style,
        }
    }

    fn push_classes(&self, paint: Paint, classes: &mut String) {
        let mut add = |class: std::fmt::Arguments<'_>| {
            if !classes.is_empty() {
                classes.push(' ');
            }
            std::fmt::Write::write_fmt(classes, class).ok();
        };
        if let Some(n) = paint.colour {
            add(format_args!("{}{n}", self.prefix));
        }
        for (font, letter, _) in FONTS {
            if paint.font.contains(font) {
                add(format_args!("{}{letter}", self.prefix));
            }
        }
    }

    /// Whether `class` is one this palette gives runs.
    fn names(&self, class: &str) -> bool {
        let Some(rest) = class.strip_prefix(self.prefix) else {
            return false;
        };
        if FONTS
            .iter()
            .any(|(_, letter, _)| rest.len() == 1 && rest.starts_with(*letter))
        {
            return true;
        }
        // Digits only, as `push_classes` writes them: no sign, no leading 0.
        !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit())
            && (rest == "0" || !rest.starts_with('0'))
            && rest.parse::<usize>().is_ok_and(|n| n < self.colours.len())
    }

    /// This theme's rules, under `scope`: one per colour, one per font.
    fn rules(&self, scope: &str) -> String {
        let mut css = String::new();
        for (n, colour) in self.colours.iter().enumerate() {
            let [r, g, b] = readable([colour.r, colour.g, colour.b], self.background);
            css.push_str(&format!(
                "{scope} pre .{}{n} {{\n color: #{r:02x}{g:02x}{b:02x};\n}}\n",
                self.prefix
            ));
        }
        for (_, letter, declaration) in FONTS {
            css.push_str(&format!(
                "{scope} pre .{}{letter} {{\n {declaration}\n}}\n",
                self.prefix
            ));
        }
        css
    }
}

/// Whether `class` is one highlighted runs carry.
pub(super) fn is_class(class: &str) -> bool {
    LIGHT.names(class) || DARK.names(class)
}

/// Whether a span's class attribute is a highlighted run's: search reads
/// the text inside without the span.
pub(crate) fn is_run_classes(classes: &str) -> bool {
    !classes.is_empty() && classes.split(' ').all(is_class)
}

/// How each scope stack looks, as the themes resolve it. Resolving means
/// testing every rule of both themes against the stack; a block has a
/// few dozen distinct stacks and a catalog a few thousand, so each
/// thread remembers them (bounded: it starts over past the limit).
const MAX_LOOKS: usize = 50_000;

thread_local! {
    static LOOKS: RefCell<HashMap<Vec<Scope>, Look>> = RefCell::new(HashMap::new());
}

fn look_of(stack: &[Scope]) -> Look {
    LOOKS.with(|looks| {
        let mut looks = looks.borrow_mut();
        if let Some(look) = looks.get(stack) {
            return *look;
        }
        let look = Look {
            light: LIGHT.paint(&LIGHT.highlighter.style_for_stack(stack)),
            dark: DARK.paint(&DARK.highlighter.style_for_stack(stack)),
        };
        if looks.len() >= MAX_LOOKS {
            looks.clear();
        }
        looks.insert(stack.to_vec(), look);
        look
    })
}

/// The scopes open at the end of the lines read so far of a block.
pub(super) struct LineStyles {
    stack: ScopeStack,
}

impl LineStyles {
    pub(super) fn new() -> LineStyles {
        LineStyles {
            stack: ScopeStack::new(),
        }
    }

    /// Feeds `line`, as the grammar parsed it, to `out`; false if the
    /// parse does not fit the line (never seen; the caller shows the
    /// block plain).
    pub(super) fn line(
        &mut self,
        ops: &[(usize, ScopeStackOp)],
        line: &str,
        out: &mut Runs,
    ) -> bool {
        let mut at = 0;
        let mut look = None;
        for (pos, op) in ops {
            if *pos > at {
                let Some(text) = line.get(at..*pos) else {
                    return false;
                };
                let look = *look.get_or_insert_with(|| look_of(self.stack.as_slice()));
                out.push(look, text);
                at = *pos;
            }
            if self.stack.apply(op).is_err() {
                return false;
            }
            look = None;
        }
        if at < line.len() {
            let Some(text) = line.get(at..) else {
                return false;
            };
            out.push(look.unwrap_or_else(|| look_of(self.stack.as_slice())), text);
        }
        true
    }
}

/// The HTML of a block, built a run at a time: tokens that look alike
/// share one span, and whitespace (which shows no colour) joins whatever
/// run it is next to.
pub(super) struct Runs {
    html: String,
    look: Look,
    /// The current run's text, escaped.
    text: String,
}

impl Runs {
    pub(super) fn with_capacity(n: usize) -> Runs {
        Runs {
            html: String::with_capacity(n * 2),
            look: Look::default(),
            text: String::new(),
        }
    }

    fn push(&mut self, look: Look, text: &str) {
        let underlined = |l: Look| {
            l.light.font.contains(FontStyle::UNDERLINE)
                || l.dark.font.contains(FontStyle::UNDERLINE)
        };
        let blank = text.bytes().all(|b| b.is_ascii_whitespace());
        let joins = look == self.look || (blank && !underlined(look) && !underlined(self.look));
        if !joins {
            self.flush();
            self.look = look;
        }
        // Only `&` and `<` start markup in text; quotes and `>` stay as
        // they are (JSON and YAML are full of quotes).
        let mut rest = text;
        while let Some(at) = rest.find(['&', '<']) {
            self.text.push_str(&rest[..at]);
            self.text.push_str(if rest.as_bytes()[at] == b'&' {
                "&amp;"
            } else {
                "&lt;"
            });
            rest = &rest[at + 1..];
        }
        self.text.push_str(rest);
    }

    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        if self.look == Look::default() {
            self.html.push_str(&self.text);
        } else {
            let mut classes = String::new();
            LIGHT.push_classes(self.look.light, &mut classes);
            DARK.push_classes(self.look.dark, &mut classes);
            self.html.push_str("<span class=\"");
            self.html.push_str(&classes);
            self.html.push_str("\">");
            self.html.push_str(&self.text);
            self.html.push_str("</span>");
        }
        self.text.clear();
    }

    pub(super) fn finish(mut self) -> String {
        self.flush();
        self.html
    }
}

/// One stylesheet: both themes, each under the scopes where it applies.
pub fn stylesheet() -> String {
    format!(
        "/* Generated from syntect's InspiredGitHub and base16-ocean.dark themes, colours adjusted to WCAG AA (4.5:1) on the code background. */\n{}{}@media (prefers-color-scheme: light) {{\n{}}}\n@media (prefers-color-scheme: dark) {{\n{}}}\n",
        LIGHT.rules(LIGHT.scopes[0]),
        DARK.rules(DARK.scopes[0]),
        LIGHT.rules(LIGHT.scopes[1]),
        DARK.rules(DARK.scopes[1]),
    )
}

fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

pub(crate) fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `rgb` moved towards black (light background) or white (dark) until it
/// reads at 4.5:1: the themes' comments and parameters do not, and
/// dark-mode parameters were near-invisible.
fn readable(rgb: [u8; 3], background: [u8; 3]) -> [u8; 3] {
    let towards: u8 = if luminance(background) > 0.5 { 0 } else { 255 };
    let mut c = rgb;
    let mut step = 0;
    while contrast(c, background) < 4.5 && step < 40 {
        let mix = |x: u8| -> u8 {
            let x = f64::from(x);
            (x + (f64::from(towards) - x) * 0.08).round() as u8
        };
        c = [mix(c[0]), mix(c[1]), mix(c[2])];
        step += 1;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::easy::HighlightLines;
    use syntect::util::LinesWithEndings;

    /// The stylesheet read back: (scope, class) → its declarations.
    fn rules() -> HashMap<(String, String), Vec<String>> {
        let css = stylesheet();
        let mut rules = HashMap::new();
        let mut lines = css.lines();
        while let Some(line) = lines.next() {
            let Some(selector) = line.strip_suffix(" {").filter(|_| !line.starts_with('@')) else {
                continue;
            };
            let (scope, class) = selector.rsplit_once(" pre .").expect(selector);
            let declarations = lines
                .by_ref()
                .take_while(|l| *l != "}")
                .map(|l| l.trim().to_owned())
                .collect();
            rules.insert((scope.to_owned(), class.to_owned()), declarations);
        }
        rules
    }

    /// What each character of `html` shows under `scope`: its colour
    /// declaration (None: the page's text colour) and its font ones.
    fn shown(
        html: &str,
        scope: &str,
        rules: &HashMap<(String, String), Vec<String>>,
    ) -> Vec<(char, Option<String>, Vec<String>)> {
        let mut out = Vec::new();
        let mut classes: Vec<&str> = Vec::new();
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("<span class=\"") {
                let (list, after) = after.split_once("\">").unwrap();
                assert!(classes.is_empty(), "runs never nest: {html}");
                classes = list.split(' ').collect();
                rest = after;
                continue;
            }
            if let Some(after) = rest.strip_prefix("</span>") {
                classes.clear();
                rest = after;
                continue;
            }
            let (c, len) = match c {
                '&' if rest.starts_with("&amp;") => ('&', 5),
                '&' if rest.starts_with("&lt;") => ('<', 4),
                '&' | '<' => panic!("unescaped markup in {html}"),
                c => (c, c.len_utf8()),
            };
            let mut colour = None;
            let mut fonts = Vec::new();
            for class in &classes {
                if let Some(declarations) = rules.get(&(scope.to_owned(), (*class).to_owned())) {
                    for d in declarations {
                        if d.starts_with("color:") {
                            assert!(colour.is_none(), "two colours on {c}");
                            colour = Some(d.clone());
                        } else {
                            fonts.push(d.clone());
                        }
                    }
                }
            }
            fonts.sort();
            out.push((c, colour, fonts));
            rest = &rest[len..];
        }
        out
    }

    /// What syntect's own `HighlightLines` makes of `code` in `palette`'s
    /// theme, a character at a time, as the stylesheet would declare it.
    fn expected(
        code: &str,
        syntax: &str,
        palette: &Palette,
    ) -> Vec<(char, Option<String>, Vec<String>)> {
        let syntax = super::super::highlight::syntaxes()
            .find_syntax_by_name(syntax)
            .unwrap();
        let mut lines = HighlightLines::new(syntax, palette.theme);
        let mut out = Vec::new();
        for line in LinesWithEndings::from(code) {
            let tokens = lines
                .highlight_line(line, super::super::highlight::syntaxes())
                .unwrap();
            for (style, text) in tokens {
                let default = palette.theme.settings.foreground.unwrap_or(Color::BLACK);
                let colour = (style.foreground != default).then(|| {
                    let [r, g, b] = readable(
                        [style.foreground.r, style.foreground.g, style.foreground.b],
                        palette.background,
                    );
                    format!("color: #{r:02x}{g:02x}{b:02x};")
                });
                let mut fonts: Vec<String> = FONTS
                    .iter()
                    .filter(|(f, _, _)| style.font_style.contains(*f))
                    .map(|(_, _, d)| (*d).to_owned())
                    .collect();
                fonts.sort();
                out.extend(text.chars().map(|c| (c, colour.clone(), fonts.clone())));
            }
        }
        out
    }

    /// Fenced blocks of the example catalog, with their grammar.
    fn catalog_blocks() -> Vec<(String, String)> {
        let mut folders = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")];
        let mut files = Vec::new();
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "md") {
                    files.push(path);
                }
            }
        }
        let mut blocks = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            let mut open: Option<(String, String)> = None;
            for line in text.lines() {
                match (&mut open, line.strip_prefix("```")) {
                    (None, Some(lang)) => open = Some((lang.trim().to_owned(), String::new())),
                    (Some(_), Some("")) => blocks.extend(open.take()),
                    (Some((_, code)), _) => {
                        code.push_str(line);
                        code.push('\n');
                    }
                    (None, None) => {}
                }
            }
        }
        blocks
            .into_iter()
            .filter_map(|(lang, code)| {
                let name = super::super::highlight::syntax_name(&lang)?;
                Some((name, code))
            })
            .collect()
    }

    #[test]
    fn every_character_keeps_its_themes_colour_and_font_in_both_modes() {
        let rules = rules();
        let mut blocks: Vec<(String, String)> = [
            ("YAML", "offset_service:\n  a: { timeout_ms: 1, url: \"https://x\" } # c\n  - &anchor <<: *x\n"),
            ("JavaScript (Babel)", "const f = async (x) => `${x}` && a < b; // y\nclass A extends B { #p = 1 }\n"),
            ("Ruby", "def f(x) = x.map { |y| :z } # c\nclass A < B; @a = \"s#{1}\"; end\n"),
            ("JSON", "{\"a\": [true, null, 1.5e3], \"b\": \"<&>\"}\n"),
            ("Bourne Again Shell (bash)", "curl -fsS \"$URL\" | jq .a # x\nexport A=1\n"),
            ("Python", "@dataclass\nclass A:\n    def f(self, x: int) -> str:\n        return f\"{x!r}\"  # c\n"),
            ("Go", "func (s *S) F(ctx context.Context) error {\n\treturn fmt.Errorf(\"%w\", err)\n}\n"),
            ("SQL", "SELECT a, COUNT(*) FROM t WHERE b = 'x' -- c\n"),
            ("TOML", "[server]\nport = 8080 # c\nname = \"x\"\n"),
            ("Markdown", "# Title\n*em* **strong** [link](http://x) `code`\n"),
        ]
        .iter()
        .map(|(s, c)| ((*s).to_owned(), (*c).to_owned()))
        .collect();
        let from_catalog = catalog_blocks();
        assert!(from_catalog.len() > 20, "{} blocks", from_catalog.len());
        blocks.extend(from_catalog);
        let mut styled = [0usize; 2];
        for (syntax, code) in &blocks {
            let reference = super::super::highlight::syntaxes()
                .find_syntax_by_name(syntax)
                .unwrap();
            let html = super::super::highlight::highlight_for_tests(reference, code).unwrap();
            for (n, palette) in [&*LIGHT, &*DARK].into_iter().enumerate() {
                let want = expected(code, syntax, palette);
                for scope in palette.scopes {
                    let got = shown(&html, scope, &rules);
                    assert_eq!(got.len(), want.len(), "{syntax}: {html}");
                    for (g, w) in got.iter().zip(&want) {
                        assert_eq!(g.0, w.0);
                        if g.0.is_whitespace() {
                            // Shows no colour; it joins the run beside it.
                            continue;
                        }
                        assert_eq!(g, w, "{syntax} in {scope}: {code}\n{html}");
                        styled[n] += usize::from(w.1.is_some());
                    }
                }
            }
        }
        // The check saw colours, not only the page's text colour.
        assert!(styled.iter().all(|n| *n > 1000), "{styled:?}");
    }

    #[test]
    fn runs_are_a_fraction_of_syntects_nested_spans() {
        use syntect::html::{ClassStyle, ClassedHTMLGenerator};
        let code = "offset_service:\n  a: { timeout_ms: 1, url: \"https://x\" } # c\n".repeat(20);
        let syntax = super::super::highlight::syntaxes()
            .find_syntax_by_name("YAML")
            .unwrap();
        let html = super::super::highlight::highlight_for_tests(syntax, &code).unwrap();
        let mut nested = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            super::super::highlight::syntaxes(),
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code.as_str()) {
            nested
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        let nested = nested.finalize();
        assert!(
            html.len() * 3 < nested.len(),
            "{} of {}",
            html.len(),
            nested.len()
        );
        assert!(
            super::super::highlight_store::faithful(&html, &code),
            "{html}"
        );
    }

    #[test]
    fn only_the_palettes_classes_are_run_classes() {
        assert!(is_class("l0") && is_class("d0") && is_class("li") && is_class("du"));
        let last = format!("l{}", LIGHT.colours.len() - 1);
        assert!(is_class(&last));
        for class in [
            "l00",
            "l01",
            "lx",
            "l",
            "",
            "hl-comment",
            "x0",
            "l-1",
            "l99999",
        ] {
            assert!(!is_class(class), "{class}");
        }
        assert!(is_run_classes("l1 li d2"));
        assert!(!is_run_classes("l1 badge") && !is_run_classes(""));
    }

    #[test]
    fn every_highlight_colour_meets_wcag_aa_in_both_modes() {
        let rules = rules();
        let mut checked = 0;
        for ((scope, _), declarations) in &rules {
            let background = if scope == LIGHT_CHOSEN || scope == LIGHT_AUTO {
                LIGHT_CODE_BG
            } else {
                DARK_CODE_BG
            };
            for d in declarations {
                if let Some(hex) = d.strip_prefix("color: #") {
                    let v = u32::from_str_radix(&hex[..6], 16).unwrap();
                    let rgb = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
                    assert!(
                        contrast(rgb, background) >= 4.5,
                        "{d}: {:.2}",
                        contrast(rgb, background)
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2 * (LIGHT.colours.len() + DARK.colours.len()));
        assert!(LIGHT.colours.len() > 10 && DARK.colours.len() > 5);
        // Before the adjustment the dark theme's comment grey read at ~2:1.
        assert!(contrast([0x65, 0x73, 0x7e], DARK_CODE_BG) < 4.5);
    }

    #[test]
    fn stylesheet_has_both_schemes_and_every_rule_is_scoped() {
        let css = stylesheet();
        let rules = rules();
        let per_scope = |scope: &str| rules.keys().filter(|(s, _)| s == scope).count();
        assert_eq!(per_scope(LIGHT_CHOSEN), LIGHT.colours.len() + FONTS.len());
        assert_eq!(per_scope(LIGHT_AUTO), per_scope(LIGHT_CHOSEN));
        assert_eq!(per_scope(DARK_CHOSEN), DARK.colours.len() + FONTS.len());
        assert_eq!(per_scope(DARK_AUTO), per_scope(DARK_CHOSEN));
        assert_eq!(
            rules.len(),
            2 * (per_scope(LIGHT_CHOSEN) + per_scope(DARK_CHOSEN))
        );
        let auto_dark = css.find("@media (prefers-color-scheme: dark) {").unwrap();
        assert!(css[auto_dark..].contains(&format!("{DARK_AUTO} pre .d0 {{")));
        assert_eq!(css.matches('{').count(), css.matches('}').count());
    }
}
