package conf

import "strings"

// node is one directive or section of a parsed configuration text.
type node struct {
	// name is the directive name as written; a section keeps its '<'
	// ("<IfModule") and uses the canonical spelling when the section is
	// known.
	name string
	// raw is the unparsed argument text (for a section: the text before
	// its closing '>'). ${VAR} references are resolved and the words split
	// when the node is walked, after earlier Define directives ran.
	raw string
	// args, when pre is set, are already-split arguments (structured files,
	// environment variables); raw is then unused.
	args []string
	pre  bool
	// structured marks nodes from YAML/TOML/JSON, which may use the
	// structured-only "Location" key.
	structured bool

	file     string
	line     int
	section  bool
	children []*node
}

func (n *node) pos() pos { return pos{file: n.file, line: n.line} }

// tag is how a section appears in messages: "<IfModule>".
func (n *node) tag() string { return n.name + ">" }

// parse turns an Apache-style configuration text into a tree of nodes,
// checking only the section structure (as ap_build_config does): every
// <Section> needs its closing '>' and a matching </Section>. Everything
// else is checked when the tree is walked, so directives inside sections
// that are not taken are never looked at.
func parse(file string, data []byte) ([]*node, error) {
	var root []*node
	var stack []*node // open sections
	add := func(n *node) {
		if len(stack) == 0 {
			root = append(root, n)
			return
		}
		top := stack[len(stack)-1]
		top.children = append(top.children, n)
	}
	for _, l := range logicalLines(data) {
		name, rest := getWord(l.text)
		p := pos{file: file, line: l.num}
		if strings.HasPrefix(name, "</") {
			if len(stack) == 0 {
				return nil, errAt(p, name, name+" without matching <"+name[2:]+" section")
			}
			open := stack[len(stack)-1]
			if !strings.HasSuffix(name, ">") {
				return nil, errAt(p, name+">", name+"> directive missing closing '>'")
			}
			closing := name[2 : len(name)-1]
			if !strings.EqualFold(closing, open.name[1:]) {
				return nil, errAt(p, name, "Expected </"+open.name[1:]+"> but saw </"+closing+">")
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if len(name) > 1 && strings.HasSuffix(name, ">") {
			name = name[:len(name)-1]
		}
		if !strings.HasPrefix(name, "<") {
			add(&node{name: name, raw: rest, file: file, line: l.num})
			continue
		}
		if canon, ok := sectionNames[strings.ToLower(name[1:])]; ok {
			name = "<" + canon
		}
		if rest == "" {
			rest = ">"
		}
		gt := strings.LastIndexByte(rest, '>')
		if gt < 0 {
			return nil, errAt(p, name+">", name+"> directive missing closing '>'")
		}
		n := &node{name: name, raw: rest[:gt], file: file, line: l.num, section: true}
		add(n)
		stack = append(stack, n)
	}
	if len(stack) > 0 {
		// Apache reports the innermost open section first.
		open := stack[len(stack)-1]
		return nil, errAt(open.pos(), open.tag(), open.tag()+" was not closed.")
	}
	return root, nil
}

// sectionNames maps every section gohttpd knows (lower case, without '<')
// to its canonical spelling.
var sectionNames = func() map[string]string {
	m := make(map[string]string)
	for _, s := range []string{
		"IfModule", "IfDefine", "IfFile", "IfDirective", "IfSection",
		"Location", "VirtualHost",
		"Directory", "DirectoryMatch", "Files", "FilesMatch", "LocationMatch",
		"Limit", "LimitExcept", "Proxy", "ProxyMatch", "If", "ElseIf", "Else",
		"RequireAll", "RequireAny", "RequireNone",
		"AuthnProviderAlias", "AuthzProviderAlias", "Macro",
		"MDomainSet", "MDomain",
	} {
		m[strings.ToLower(s)] = s
	}
	return m
}()
