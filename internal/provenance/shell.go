package provenance

import (
	"regexp"
	"strings"
)

// notPrograms are the shell's own words: keywords and the builtins our
// scripts use (bash(1), "SHELL BUILTIN COMMANDS"). They run nothing.
var notPrograms = set(
	// keywords
	"if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until",
	"case", "esac", "function", "select", "{", "}", "!", "[[", "]]",
	// builtins
	".", ":", "[", "alias", "bg", "break", "builtin", "cd", "continue", "declare",
	"echo", "eval", "exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill",
	"let", "local", "mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray",
	"readonly", "return", "set", "shift", "shopt", "source", "test", "trap", "true",
	"type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
)

// prefixWords run the command that follows them: the next word is the
// program (`exec go test`, `command -v go`, `time make`).
var prefixWords = set("exec", "command", "time", "!", "then", "do", "else", "elif", "if", "while", "until", "{")

// runners are programs that run their arguments as a command: they count
// themselves, and so does the command after their options (and a `--`)
// and after the number of words given here (timeout's duration,
// scripts/timed.sh's name).
var runners = map[string]int{"sudo": 0, "env": 0, "timeout": 1, "nice": 0, "xargs": 0,
	"dbus-run-session": 0, "session.sh": 0, "timed.sh": 1}

func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[w] = true
	}
	return m
}

var (
	assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=`)
	heredoc    = regexp.MustCompile(`(^|[^<])<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?`)
	funcDef    = regexp.MustCompile(`(?m)^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)`)
	plainName  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`)
	varWord    = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}?$`)
)

// ShellUses reads the programs a shell script runs: the first word of each
// command (after assignments and redirections), in pipelines, lists,
// $(...), <(...) and backquotes alike. Heredoc bodies are text, not
// commands; functions the script defines are not programs. A command word
// that is a variable counts as the values the script assigns it (GO=go);
// when one of those is empty (sudo=""), the next word is a command too.
// Words with a slash are paths to the project's own files and are skipped.
func ShellUses(where, text string) []Use {
	text = dropHeredocs(strings.ReplaceAll(text, "\\\n", " "))
	funcs := map[string]bool{}
	for _, m := range funcDef.FindAllStringSubmatch(text, -1) {
		funcs[m[1]] = true
	}
	vars := map[string][]string{}
	found := uses{}
	var parse func(string)
	parse = func(s string) {
		for _, cmd := range commands(s, parse) {
			for _, w := range cmd {
				if m := assignment.FindString(w); m != "" {
					name := strings.TrimRight(strings.SplitN(m, "[", 2)[0], "+=")
					vars[name] = append(vars[name], unquote(strings.TrimPrefix(w, m)))
				}
			}
			programsOf(cmd, vars, funcs, found, where)
		}
	}
	parse(text)
	return found.list()
}

func programsOf(cmd []string, vars map[string][]string, funcs map[string]bool, found uses, where string) {
	afterRunner, skip := false, 0
	for i := 0; i < len(cmd); i++ {
		w := cmd[i]
		switch {
		case assignment.MatchString(w):
			continue
		case afterRunner && strings.HasPrefix(w, "-"):
			continue // the runner's own options
		case skip > 0:
			skip--
			continue
		case isRedirect(w):
			i++ // and its target
			continue
		}
		word := unquote(w)
		if m := varWord.FindStringSubmatch(word); m != nil {
			values := vars[m[1]]
			if m[3] != "" {
				values = append(values, m[3])
			}
			next := len(values) == 0 // unknown ($0, "$@"): a path or an argument
			for _, v := range values {
				if v == "" {
					next = true
				} else if d := varWord.FindStringSubmatch(v); d != nil && d[3] != "" {
					add(d[3], found, funcs, where)
				} else {
					add(v, found, funcs, where)
				}
			}
			if next && len(values) > 0 {
				continue
			}
			return
		}
		base := word
		if strings.Contains(word, "/") {
			base = word[strings.LastIndex(word, "/")+1:]
			if _, ok := runners[base]; !ok {
				return // the project's own file, or a built binary
			}
		}
		if prefixWords[base] {
			afterRunner = base == "command"
			continue
		}
		if n, ok := runners[base]; ok {
			if !strings.Contains(word, "/") {
				add(base, found, funcs, where)
			}
			afterRunner, skip = true, n
			continue
		}
		add(word, found, funcs, where)
		return
	}
}

func add(prog string, found uses, funcs map[string]bool, where string) {
	if notPrograms[prog] || funcs[prog] || !plainName.MatchString(prog) {
		return
	}
	found.add(prog, where)
}

func isRedirect(w string) bool {
	w = strings.TrimLeft(w, "0123456789&")
	return w == ">" || w == ">>" || w == "<" || w == "<<<" || w == ">&" || w == "<&"
}

func unquote(w string) string {
	if len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0] {
		return w[1 : len(w)-1]
	}
	return w
}

// dropHeredocs removes the bodies of heredocs, keeping the line that opens
// each (its command is real).
func dropHeredocs(text string) string {
	var out []string
	var end string
	dash := false
	for _, l := range strings.Split(text, "\n") {
		if end != "" {
			t := l
			if dash {
				t = strings.TrimLeft(l, "\t")
			}
			if t == end {
				end = ""
			}
			continue
		}
		out = append(out, l)
		if m := heredoc.FindStringSubmatch(stripComment(l)); m != nil {
			end = m[2]
			dash = strings.Contains(m[0], "<<-")
		}
	}
	return strings.Join(out, "\n")
}

// stripComment cuts a line at a # that starts a word outside quotes.
func stripComment(l string) string {
	var q byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else if c == '\\' && q == '"' {
				i++
			}
		case c == '\\':
			i++
		case c == '\'' || c == '"':
			q = c
		case c == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t' || l[i-1] == ';'):
			return l[:i]
		}
	}
	return l
}

// commands splits shell text into simple commands (lists of words, quotes
// kept). The inside of each $(...), <(...), >(...) and `...` is handed to
// sub, and the substitution stays in its word as an opaque $(...).
func commands(text string, sub func(string)) [][]string {
	var cmds [][]string
	var cur []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			cur = append(cur, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
			cur = nil
		}
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, stripComment(l))
	}
	s := strings.Join(lines, "\n")
	var q byte // the quote we are in
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && q != '\'' && i+1 < len(s) {
			word.WriteByte(c)
			word.WriteByte(s[i+1])
			inWord = true
			i++
			continue
		}
		if q == '\'' {
			word.WriteByte(c)
			if c == '\'' {
				q = 0
			}
			continue
		}
		// Substitutions, in or out of double quotes.
		if (c == '$' || ((c == '<' || c == '>') && q == 0)) && i+1 < len(s) && s[i+1] == '(' {
			arith := c == '$' && i+2 < len(s) && s[i+2] == '('
			end := matchParen(s, i+1)
			inner := s[i+2 : end]
			if arith {
				// $(( ... )): arithmetic, but a $(...) inside is a command.
				commands(inner[1:], sub)
			} else {
				sub(inner)
			}
			word.WriteString("$(...)")
			inWord = true
			i = end
			continue
		}
		if c == '`' {
			end := strings.IndexByte(s[i+1:], '`')
			if end < 0 {
				end = len(s) - i - 1
			}
			sub(s[i+1 : i+1+end])
			word.WriteString("$(...)")
			inWord = true
			i += end + 1
			continue
		}
		if q == '"' {
			word.WriteByte(c)
			if c == '"' {
				q = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			q = c
			word.WriteByte(c)
			inWord = true
		case ' ', '\t':
			endWord()
		case '(':
			if inWord && strings.HasSuffix(word.String(), "=") {
				// An array assignment, a=( ... ): words, not commands.
				end := matchParen(s, i)
				word.WriteString(s[i : end+1])
				i = end
				continue
			}
			endCmd()
		case '\n', ';', '&', '|', ')':
			if c == '&' && i > 0 && (s[i-1] == '>' || s[i-1] == '<') {
				word.WriteByte(c) // 2>&1, >&2
				inWord = true
				continue
			}
			endCmd()
		case '<', '>':
			// A redirection is its own word; a number before it (2>) too.
			if inWord && strings.Trim(word.String(), "0123456789") != "" {
				endWord()
			}
			op := string(c)
			for i+1 < len(s) && (s[i+1] == '<' || s[i+1] == '>' || s[i+1] == '&') {
				i++
				op += string(s[i])
			}
			word.WriteString(op)
			inWord = true
			endWord()
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// matchParen returns the index of the ) that closes the ( at open.
func matchParen(s string, open int) int {
	depth := 0
	var q byte
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '\'':
			if c == '\'' {
				q = 0
			}
		case c == '\\':
			i++
		case q == '"' && c == '$' && i+1 < len(s) && s[i+1] == '(':
			i = matchParen(s, i+1) // a substitution nests inside quotes
		case q == '"':
			if c == '"' {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}
