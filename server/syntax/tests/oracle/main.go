// Oracle for gomodls-syntax's Go-exact primitives: reads one request per line on stdin
// ("op<TAB>hex(arg)<TAB>hex(arg)..."), answers each with one JSON array of hex-encoded strings.
// It calls the copied golang.org/x/mod packages and the standard library; nothing is reimplemented.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/version"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"oracle/xmod/modfile"
	"oracle/xmod/module"
	"oracle/xmod/semver"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "ERR:" + err.Error()
}

func result(s string, err error) string {
	if err != nil {
		return "ERR:" + err.Error()
	}
	return "OK:" + s
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func capture(f func() string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = "PANIC"
		}
	}()
	return f()
}

func ranges(f func(rune) bool) string {
	var b strings.Builder
	start := rune(-1)
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		in := r <= unicode.MaxRune && f(r)
		if in && start < 0 {
			start = r
		}
		if !in && start >= 0 {
			fmt.Fprintf(&b, "    (0x%04X, 0x%04X),\n", start, r-1)
			start = -1
		}
	}
	return b.String()
}

func tables() string {
	return "//! Unicode classes as Go 1.27's `unicode` package defines them (generated; see the oracle test).\n\n" +
		"/// Ranges of code points for which Go's `unicode.IsPrint` is true.\n#[rustfmt::skip]\npub(super) const PRINT: &[(u32, u32)] = &[\n" + ranges(unicode.IsPrint) + "];\n\n" +
		"/// Ranges of code points for which Go's `unicode.IsLetter` is true.\n#[rustfmt::skip]\npub(super) const LETTER: &[(u32, u32)] = &[\n" + ranges(unicode.IsLetter) + "];\n\n" +
		"/// Ranges of code points for which Go's `unicode.IsSpace` is true.\n#[rustfmt::skip]\npub(super) const SPACE: &[(u32, u32)] = &[\n" + ranges(unicode.IsSpace) + "];\n"
}

func laxGo(v string) string {
	f, err := modfile.ParseLax("go.mod", []byte("module m\ngo "+v+"\n"), nil)
	if err != nil || f.Go == nil {
		return "NONE"
	}
	return f.Go.Version
}

func answer(op string, args []string) []string {
	switch op {
	case "tables":
		return []string{tables()}
	case "semver":
		v := args[0]
		t, terr := module.PseudoVersionTime(v)
		rev, rerr := module.PseudoVersionRev(v)
		base, berr := module.PseudoVersionBase(v)
		esc, eerr := module.EscapeVersion(v)
		unesc, uerr := module.UnescapeVersion(v)
		return []string{
			boolText(semver.IsValid(v)), semver.Canonical(v), semver.Major(v), semver.MajorMinor(v),
			semver.Prerelease(v), semver.Build(v), module.CanonicalVersion(v),
			boolText(module.IsPseudoVersion(v)), boolText(module.IsZeroPseudoVersion(v)),
			result(t.Format(time.RFC3339), terr), result(rev, rerr), result(base, berr),
			result(esc, eerr), result(unesc, uerr),
			errText(module.CheckPathMajor(v, "")), errText(module.CheckPathMajor(v, "/v2")),
			errText(module.CheckPathMajor(v, ".v1")), errText(module.CheckPathMajor(v, ".v0-unstable")),
		}
	case "cmp":
		return []string{strconv.Itoa(semver.Compare(args[0], args[1]))}
	case "sort":
		list := strings.Split(args[0], "\n")
		semver.Sort(list)
		return []string{strings.Join(list, "\n")}
	case "pathbytes":
		p := args[0]
		return []string{errText(module.CheckPath(p)), errText(module.CheckImportPath(p)), errText(module.CheckFilePath(p))}
	case "path":
		p := args[0]
		prefix, major, ok := module.SplitPathVersion(p)
		esc, eerr := module.EscapePath(p)
		unesc, uerr := module.UnescapePath(p)
		prefixOfMajor := capture(func() string { return "OK:" + module.PathMajorPrefix(major) })
		return []string{
			errText(module.CheckPath(p)), errText(module.CheckImportPath(p)), errText(module.CheckFilePath(p)),
			prefix, major, boolText(ok), result(esc, eerr), result(unesc, uerr),
			boolText(modfile.IsDirectoryPath(p)), prefixOfMajor,
			errText(module.Check(p, "v1.0.0")), errText(module.Check(p, "v2.0.0")), errText(module.Check(p, "v2")),
		}
	case "pathmajor":
		return []string{
			errText(module.CheckPathMajor(args[0], args[1])),
			capture(func() string { return "OK:" + module.PathMajorPrefix(args[1]) }),
		}
	case "glob":
		matched, err := path.Match(args[0], args[1])
		return []string{boolText(module.MatchPrefixPatterns(args[0], args[1])), result(boolText(matched), err)}
	case "quote":
		s := args[0]
		u, err := strconv.Unquote(s)
		return []string{strconv.Quote(s), boolText(modfile.MustQuote(s)), modfile.AutoQuote(s), result(u, err)}
	case "rune":
		r, _ := strconv.Atoi(args[0])
		return []string{strconv.QuoteRune(rune(r))}
	case "gover":
		x := args[0]
		return []string{
			boolText(modfile.GoVersionRE.MatchString(x)), laxGo(x), boolText(modfile.ToolchainRE.MatchString(x)),
			boolText(version.IsValid("go" + x)), version.Lang("go" + x),
		}
	case "govercmp":
		return []string{strconv.Itoa(version.Compare("go"+args[0], "go"+args[1]))}
	case "pseudo":
		sec, _ := strconv.ParseInt(args[2], 10, 64)
		off, _ := strconv.Atoi(args[3])
		t := time.Unix(sec, 0).In(time.FixedZone("", off))
		return []string{module.PseudoVersion(args[0], args[1], t, args[4])}
	}
	return []string{"UNKNOWN OP " + op}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Split(in.Text(), "\t")
		var args []string
		for _, f := range fields[1:] {
			b, err := hex.DecodeString(f)
			if err != nil {
				panic(err)
			}
			args = append(args, string(b))
		}
		var encoded []string
		for _, a := range answer(fields[0], args) {
			encoded = append(encoded, hex.EncodeToString([]byte(a)))
		}
		line, _ := json.Marshal(encoded)
		out.Write(line)
		out.WriteByte('\n')
	}
	if err := in.Err(); err != nil {
		panic(err)
	}
}
