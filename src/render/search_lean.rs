//! What Pagefind need not read of a page. Pagefind tokenizes the whole
//! page and matches every element against its selectors, then keeps only
//! the indexed body's text, its filters and meta, and the page title:
//! on a catalog page the sidebar, the table of contents, the metadata
//! card and the footers are close to half the bytes it parses, for
//! nothing. `lean` cuts them out before Pagefind reads the page, only
//! where the cut cannot change what Pagefind keeps: a region holding a
//! `data-pagefind-*` attribute other than the ignore that marks it stays,
//! so does a page whose body is not one well-formed element. (One thing
//! can differ: Pagefind numbers every element with an `id` it meets, even
//! inside an ignored one, where no anchor results; a template with such
//! ids gets the same anchors under other numbers. The built-in theme's
//! index is the same bytes, which `tests/search.rs` checks.)

use memchr::memmem;

/// The attributes Pagefind reads; a region holding one stays.
const PAGEFIND: &[u8] = b"data-pagefind-";
const BODY: &[u8] = b"data-pagefind-body";
const IGNORE: &[u8] = b"data-pagefind-ignore";

/// The page as Pagefind needs it: outside the indexed body, only the
/// root's start tag and the `<title>` (Pagefind's last resort for a
/// title), unless a filter or meta lives there; inside it, no element
/// marked `data-pagefind-ignore` that holds no other attribute of
/// Pagefind's (each becomes a space, as Pagefind separates the words
/// around a block element). Anything it cannot read for certain stays.
pub(super) fn lean(html: &[u8]) -> Vec<u8> {
    let mut bodies = memmem::find_iter(html, BODY);
    let (Some(at), None) = (bodies.next(), bodies.next()) else {
        return html.to_vec();
    };
    let Some((start, end)) = element_around(html, at, BODY) else {
        return html.to_vec();
    };
    let (before, body, after) = (&html[..start], &html[start..end], &html[end..]);
    let mut out = Vec::with_capacity(html.len());
    // Pagefind reads only what is inside an `<html>` element: without one
    // found for certain, the outside stays as it is.
    let root = start_tag(before, b"html");
    let title = element(before, b"title");
    let kept = match (root, title) {
        (Some(root), Some(title)) => Some([root, title]),
        (Some(root), None) if !has(before, b"<title") => Some([root, &[][..]]),
        _ => None,
    }
    .filter(|_| !has(before, PAGEFIND) && !has(after, PAGEFIND));
    match kept {
        Some(parts) => parts.iter().for_each(|part| out.extend_from_slice(part)),
        None => out.extend_from_slice(before),
    }
    cut_ignored(body, &mut out);
    if kept.is_none() {
        out.extend_from_slice(after);
    }
    out
}

fn has(bytes: &[u8], needle: &[u8]) -> bool {
    memmem::find(bytes, needle).is_some()
}

/// Copies `body` into `out` without the ignored elements it may cut.
fn cut_ignored(body: &[u8], out: &mut Vec<u8>) {
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = memmem::find(&body[from..], IGNORE).map(|p| from + p) {
        from = found + IGNORE.len();
        // Not the body's own start tag, and nothing already cut.
        let around = element_around(body, found, IGNORE);
        let Some((start, end)) = around.filter(|(s, _)| *s > 0 && *s >= copied) else {
            continue;
        };
        let region = &body[start..end];
        if memmem::find_iter(region, PAGEFIND).count() != 1 {
            continue;
        }
        out.extend_from_slice(&body[copied..start]);
        out.push(b' ');
        copied = end;
        from = end;
    }
    out.extend_from_slice(&body[copied..]);
}

/// The element whose start tag holds byte `at`, which must begin its
/// attribute `attribute` (not text, not a value): from its `<` to just
/// after its end tag, found by counting the starts and ends of elements of
/// the same name. None for a void or self-closed element, a tag cut short,
/// or an element never closed.
fn element_around(html: &[u8], at: usize, attribute: &[u8]) -> Option<(usize, usize)> {
    let start = memchr::memrchr(b'<', &html[..at])?;
    let name = tag_name(&html[start + 1..])?;
    let open_end = start + tag_end(&html[start..])?;
    if open_end <= at || attribute_at(&html[start..open_end], at - start) != Some(attribute) {
        return None;
    }
    if html[..open_end].ends_with(b"/>") || is_void(name) {
        return None;
    }
    let mut depth = 1usize;
    let mut i = open_end;
    while let Some(lt) = memchr::memchr(b'<', &html[i..]).map(|p| i + p) {
        let rest = &html[lt..];
        if rest.starts_with(b"<!--") {
            i = lt + 4 + memmem::find(&rest[4..], b"-->")? + 3;
            continue;
        }
        // A `<` that starts no tag is text.
        if !rest
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!'))
        {
            i = lt + 1;
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let after_slash = &rest[1 + usize::from(closing)..];
        let end = lt + tag_end(rest)?;
        // Pagefind reads a script's or a style's text as text.
        if let Some(raw) = [&b"script"[..], b"style"]
            .into_iter()
            .find(|raw| !closing && tag_name(after_slash) == Some(*raw))
        {
            let close = [&b"</"[..], raw].concat();
            i = end + memmem::find(&html[end..], &close)?;
            continue;
        }
        if tag_name(after_slash) == Some(name) {
            if closing {
                depth -= 1;
                if depth == 0 {
                    return Some((start, end));
                }
            } else if !html[..end].ends_with(b"/>") {
                depth += 1;
            }
        }
        i = end;
    }
    None
}

/// The name of the attribute starting at byte `at` of start tag `tag`, if
/// one does: the tag is read attribute by attribute, values skipped.
fn attribute_at(tag: &[u8], at: usize) -> Option<&[u8]> {
    let mut i = 1 + tag_name(&tag[1..])?.len();
    while i < tag.len() {
        while tag
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            i += 1;
        }
        let len = tag[i..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'=' | b'>' | b'/'))?;
        if len == 0 {
            return None;
        }
        if i == at {
            return Some(&tag[i..i + len]);
        }
        i += len;
        while tag.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if tag.get(i) == Some(&b'=') {
            i += 1;
            while tag.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match tag.get(i) {
                Some(q @ (b'"' | b'\'')) => i += 1 + memchr::memchr(*q, &tag[i + 1..])? + 1,
                _ => {
                    i += tag[i..]
                        .iter()
                        .position(|b| b.is_ascii_whitespace() || *b == b'>')?
                }
            }
        }
        if i > at {
            return None;
        }
    }
    None
}

/// The name a tag starts with, if it has one (letters, digits, `-`).
fn tag_name(after_lt: &[u8]) -> Option<&[u8]> {
    let len = after_lt
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
        .unwrap_or(after_lt.len());
    let delimited = matches!(
        after_lt.get(len),
        Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>' | b'/')
    );
    (len > 0 && after_lt[0].is_ascii_alphabetic() && delimited).then(|| &after_lt[..len])
}

/// The length of the tag `tag` starts with, to just after its `>`,
/// skipping quoted attribute values.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, b) in tag.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), _) if q == *b => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn is_void(name: &[u8]) -> bool {
    const VOID: [&[u8]; 14] = [
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
        b"param", b"source", b"track", b"wbr",
    ];
    VOID.contains(&name)
}

/// The first start tag named `name` in `html`.
fn start_tag<'a>(html: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(lt) = memchr::memchr(b'<', &html[from..]).map(|p| from + p) {
        let end = lt + tag_end(&html[lt..])?;
        if tag_name(&html[lt + 1..]) == Some(name) {
            return Some(&html[lt..end]);
        }
        from = end;
    }
    None
}

/// The first element named `name` in `html`, with its text, when that
/// text holds no tag (as a `<title>`'s never does).
fn element<'a>(html: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let open = start_tag(html, name)?;
    let start = open.as_ptr() as usize - html.as_ptr() as usize;
    let text_start = start + open.len();
    let close = memchr::memchr(b'<', &html[text_start..])? + text_start;
    let rest = &html[close..];
    let closing = rest.strip_prefix(b"</")?;
    (tag_name(closing) == Some(name))
        .then(|| tag_end(rest).map(|len| &html[start..close + len]))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::lean;

    fn leaned(html: &str) -> String {
        String::from_utf8(lean(html.as_bytes())).unwrap()
    }

    #[test]
    fn outside_the_body_only_the_root_and_the_title_stay() {
        let page = "<!DOCTYPE html><html lang=\"en\"><head><title>T &amp; U</title><link rel=stylesheet href=x.css></head>\
                    <body><nav><a href=\"/\">Home</a></nav><main id=\"main\"><article data-pagefind-body><h1>T</h1><p>x</p></article></main>\
                    <footer>f</footer><script>let a = '</article>';</script></body></html>";
        assert_eq!(
            leaned(page),
            "<html lang=\"en\"><title>T &amp; U</title><article data-pagefind-body><h1>T</h1><p>x</p></article>"
        );
    }

    #[test]
    fn a_filter_or_meta_outside_the_body_keeps_the_outside() {
        let page = "<html><head><meta data-pagefind-filter=\"k:v\"></head><body><div data-pagefind-body>x</div><p>after</p></body></html>";
        assert_eq!(leaned(page), page);
        let page = "<html><body><div data-pagefind-body>x</div><span data-pagefind-meta=\"m\">y</span></body></html>";
        assert_eq!(leaned(page), page);
    }

    #[test]
    fn ignored_elements_go_unless_they_hold_a_filter() {
        let page = "<html><article data-pagefind-body><nav data-pagefind-ignore><nav>inner</nav><a>x</a></nav>\
                    <h2 id=\"a\">A<a class=\"anchor\" href=\"#a\" data-pagefind-ignore>#</a></h2>\
                    <div hidden data-pagefind-ignore><span data-pagefind-filter=\"tag\">t</span></div>\
                    <section data-pagefind-ignore=\"all\"><p>gone</p></section><p>kept</p></article></html>";
        assert_eq!(
            leaned(page),
            "<html><article data-pagefind-body> <h2 id=\"a\">A </h2>\
             <div hidden data-pagefind-ignore><span data-pagefind-filter=\"tag\">t</span></div> <p>kept</p></article>"
        );
    }

    #[test]
    fn pages_it_cannot_read_for_certain_stay_whole() {
        for page in [
            // two bodies, none, a body never closed, one cut short
            "<html><div data-pagefind-body>a</div><div data-pagefind-body>b</div></html>",
            "<html><p>no body</p></html>",
            "<html><div data-pagefind-body><p>open</html>",
            "<html><div data-pagefind-body",
            "<div data-pagefind-body='a>b'",
            "<img data-pagefind-body>",
            "",
            // no root element (Pagefind would index nothing), or one in
            // capitals, a title it cannot read
            "<body><nav>n</nav><div data-pagefind-body>x</div></body>",
            "<HTML><nav>n</nav><div data-pagefind-body>x</div></HTML>",
            "<html><title>a<b>c</b></title><div data-pagefind-body>x</div></html>",
        ] {
            assert_eq!(leaned(page), page);
        }
        // An ignored element never closed stays.
        let page = "<html><div data-pagefind-body><nav data-pagefind-ignore>x</div></html>";
        assert_eq!(
            leaned(page),
            "<html><div data-pagefind-body><nav data-pagefind-ignore>x</div>"
        );
    }

    #[test]
    fn the_words_as_text_or_value_are_not_the_attributes() {
        for page in [
            "<html><p>data-pagefind-body</p></html>",
            "<html><p title=\"data-pagefind-body\">x</p></html>",
            "<html><div data-pagefind-body><a title=\"data-pagefind-ignore\">x</a><p>data-pagefind-ignore</p></div>",
            "<html><div data-pagefind-body><a title=' data-pagefind-ignore'>x</a></div>",
            "<html><div data-pagefind-body><a title=data-pagefind-ignore>x</a></div>",
        ] {
            assert_eq!(leaned(page), page);
        }
    }

    #[test]
    fn side_by_side_ignored_elements_both_go() {
        let page = "<html><div data-pagefind-body><p>a</p><a data-pagefind-ignore>#</a><a data-pagefind-ignore>#</a><p>b</p></div>";
        assert_eq!(
            leaned(page),
            "<html><div data-pagefind-body><p>a</p>  <p>b</p></div>"
        );
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        let page = "<html><div data-pagefind-body>a < 'b<p>c</p></div><p>'</p>";
        assert_eq!(
            leaned(page),
            "<html><div data-pagefind-body>a < 'b<p>c</p></div>"
        );
    }

    #[test]
    fn a_script_in_the_body_is_text() {
        let page = "<html><div data-pagefind-body><script>if (a</div>) {}</script><p>t</p></div><p>out</p>";
        assert_eq!(
            leaned(page),
            "<html><div data-pagefind-body><script>if (a</div>) {}</script><p>t</p></div>"
        );
    }

    #[test]
    fn quoted_brackets_and_comments_do_not_end_an_element() {
        let page = "<html><div data-pagefind-body title=\"a>b\"><!-- </div> --><p class='x>'>t</p></div><p>out</p></html>";
        assert_eq!(
            leaned(page),
            "<html><div data-pagefind-body title=\"a>b\"><!-- </div> --><p class='x>'>t</p></div>"
        );
    }
}
