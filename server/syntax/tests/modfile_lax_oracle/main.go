// Command main reads go.mod files with x/mod's modfile.ParseLax (nil fixer), as the go command
// reads dependencies' go.mod files, and prints one JSON line per file: the interpreted file and
// the formatted syntax tree, or the error text.
package main

import (
	"encoding/json"
	"os"

	"laxoracle/xmod/modfile"
)

type answer struct {
	Err        string
	Module     []string
	Go         string
	Toolchain  string
	Godebug    [][]string
	Require    [][]string
	Exclude    [][]string
	Replace    [][]string
	Retract    [][]string
	Tool       []string
	Ignore     []string
	Formatted  string
}

func main() {
	encoder := json.NewEncoder(os.Stdout)
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			panic(err)
		}
		a := answer{Module: []string{}, Godebug: [][]string{}, Require: [][]string{}, Exclude: [][]string{},
			Replace: [][]string{}, Retract: [][]string{}, Tool: []string{}, Ignore: []string{}}
		f, err := modfile.ParseLax("go.mod", data, nil)
		if err != nil {
			a.Err = err.Error()
		} else {
			if f.Module != nil {
				a.Module = []string{f.Module.Mod.Path, f.Module.Deprecated}
			}
			if f.Go != nil {
				a.Go = f.Go.Version
			}
			if f.Toolchain != nil {
				a.Toolchain = f.Toolchain.Name
			}
			for _, x := range f.Godebug {
				a.Godebug = append(a.Godebug, []string{x.Key, x.Value})
			}
			for _, x := range f.Require {
				indirect := "direct"
				if x.Indirect {
					indirect = "indirect"
				}
				a.Require = append(a.Require, []string{x.Mod.Path, x.Mod.Version, indirect})
			}
			for _, x := range f.Exclude {
				a.Exclude = append(a.Exclude, []string{x.Mod.Path, x.Mod.Version})
			}
			for _, x := range f.Replace {
				a.Replace = append(a.Replace, []string{x.Old.Path, x.Old.Version, x.New.Path, x.New.Version})
			}
			for _, x := range f.Retract {
				a.Retract = append(a.Retract, []string{x.Low, x.High, x.Rationale})
			}
			for _, x := range f.Tool {
				a.Tool = append(a.Tool, x.Path)
			}
			for _, x := range f.Ignore {
				a.Ignore = append(a.Ignore, x.Path)
			}
			a.Formatted = string(modfile.Format(f.Syntax))
		}
		if err := encoder.Encode(a); err != nil {
			panic(err)
		}
	}
}
