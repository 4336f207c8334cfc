package schema

import (
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// typeDocs is what the source of package krm says about one named type.
type typeDocs struct {
	doc    string            // the type's doc comment
	fields map[string]string // Go field name -> its doc comment (or its block's, see parseDocs)
	consts []string          // the string values of the constants declared with this type
}

// parseDocs reads the doc comments and string constants of the Go package in dir.
//
// A field with no comment of its own shares the comment of the field just above it when that
// comment names it, as in
//
//	// Profile, Platform and CompatibilityVersion select the chart's value presets.
//	Profile              string `json:"profile"`
//	Platform             string `json:"platform"`
//	CompatibilityVersion string `json:"compatibilityVersion"`
func parseDocs(dir string) (map[string]*typeDocs, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	docs := map[string]*typeDocs{}
	get := func(name string) *typeDocs {
		if docs[name] == nil {
			docs[name] = &typeDocs{fields: map[string]string{}}
		}
		return docs[name]
	}
	parsed := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		parsed++
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			switch gen.Tok {
			case token.TYPE:
				for _, spec := range gen.Specs {
					ts := spec.(*ast.TypeSpec)
					td := get(ts.Name.Name)
					td.doc = commentText(ts.Doc)
					if td.doc == "" && len(gen.Specs) == 1 {
						td.doc = commentText(gen.Doc)
					}
					if st, ok := ts.Type.(*ast.StructType); ok {
						fieldDocs(fset, st, td.fields)
					}
				}
			case token.CONST:
				for _, spec := range gen.Specs {
					vs := spec.(*ast.ValueSpec)
					typ, ok := vs.Type.(*ast.Ident)
					if !ok {
						continue
					}
					for _, value := range vs.Values {
						lit, ok := value.(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							continue
						}
						s, err := strconv.Unquote(lit.Value)
						if err != nil {
							return nil, fmt.Errorf("%s: %v", fset.Position(lit.Pos()), err)
						}
						get(typ.Name).consts = append(get(typ.Name).consts, s)
					}
				}
			}
		}
	}
	if parsed == 0 {
		return nil, fmt.Errorf("no Go source in %s", dir)
	}
	return docs, nil
}

func fieldDocs(fset *token.FileSet, st *ast.StructType, into map[string]string) {
	var shared string
	sharedLine := -1
	for _, field := range st.Fields.List {
		text := commentText(field.Doc)
		if text == "" {
			text = commentText(field.Comment)
		}
		line := fset.Position(field.Pos()).Line
		if text != "" {
			shared, sharedLine = text, line
		}
		for _, name := range field.Names {
			switch {
			case text != "":
				into[name.Name] = text
			case line == sharedLine+1 && mentions(shared, name.Name):
				into[name.Name] = shared
				sharedLine = line
			}
		}
		if text == "" && line != sharedLine {
			shared, sharedLine = "", -1
		}
	}
}

func mentions(text, word string) bool {
	return regexp.MustCompile(`\b` + regexp.QuoteMeta(word) + `\b`).MatchString(text)
}

// commentText turns a doc comment into plain text: paragraphs joined by blank lines, each on one
// line.
func commentText(group *ast.CommentGroup) string {
	if group == nil {
		return ""
	}
	var parser comment.Parser
	printer := comment.Printer{TextWidth: -1}
	return strings.TrimSpace(string(printer.Text(parser.Parse(group.Text()))))
}

var leadingNames = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*(?:(?:, | and )[A-Z][A-Za-z0-9]*)*`)

// withJSONNames rewrites the Go field names a field comment starts with ("HTTPSRedirect makes
// ...", "Profile, Platform and CompatibilityVersion select ...") into the names users write.
func withJSONNames(text string, jsonName map[string]string) string {
	lead := leadingNames.FindString(text)
	if lead == "" {
		return text
	}
	rest := text[len(lead):]
	if rest != "" && !strings.ContainsAny(rest[:1], " :,.;") {
		return text
	}
	words := regexp.MustCompile(`[A-Za-z0-9]+`).ReplaceAllStringFunc(lead, func(word string) string {
		if name, ok := jsonName[word]; ok {
			return name
		}
		return word
	})
	if words == lead {
		return text
	}
	return words + rest
}

// docRequired reports whether a comment says its field is required ("... Required." as a
// sentence of its own).
var docRequired = regexp.MustCompile(`(^|[.!?]\s+)Required\.`)
