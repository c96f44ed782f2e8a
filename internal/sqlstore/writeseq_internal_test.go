package sqlstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryWriteCounts: the standing cache is exact only if every write of the process counts in
// writeSeq. Statements through the guarded door count by construction (guard.go); this finds
// every function of the package that begins a transaction or runs a statement on the pool itself
// and requires it to count its writes (call beginWrite), or to be one of the few that need not,
// each for its reason.
func TestEveryWriteCounts(t *testing.T) {
	exempt := map[string]string{
		"seedWriter.begin": "Seed counts all of its transactions as one write",
		"DB.Backup":        "VACUUM INTO writes another file, not the database",
		"DB.beginTx":       "it begins the transactions of txOnce and batchTx, which count them (and are scanned for it)",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			writes, counts := false, false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fun := call.Fun.(type) {
				case *ast.Ident:
					counts = counts || fun.Name == "beginWrite"
				case *ast.SelectorExpr:
					method := fun.Sel.Name
					onPool := false
					if recv, ok := fun.X.(*ast.SelectorExpr); ok && recv.Sel.Name == "sql" {
						onPool = true
					}
					writes = writes || method == "BeginTx" || method == "beginTx" || (onPool && strings.HasPrefix(method, "Exec"))
				}
				return true
			})
			if !writes {
				continue
			}
			found++
			id := funcName(fn)
			if !counts && exempt[id] == "" {
				t.Errorf("%s: %s begins a transaction or writes on the pool without counting it in writeSeq (call beginWrite)", fset.Position(fn.Pos()), id)
			}
		}
	}
	if found < 5 {
		t.Errorf("found %d functions that write outside the guarded door; the scan no longer sees them", found)
	}
}

// funcName is "Type.Method" or "Func".
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// TestSQLiteStoreUsesPreparedStatements: the store outside transactions runs SQLite's
// statements prepared once (stmtCache); a store whose door was made before the cache existed
// parsed every statement again, tripling the token check's cost.
func TestSQLiteStoreUsesPreparedStatements(t *testing.T) {
	db, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g, ok := db.store.q.(guarded)
	r, _ := g.run.(poolRunner)
	if !ok || r.stmts == nil || r.stmts != db.stmts {
		t.Fatalf("the pool's store runs without the statement cache (door %+v)", db.store.q)
	}
}
