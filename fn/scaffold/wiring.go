package scaffold

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ExecPath is the path by which a package in dir names the function's binary at executable (an
// absolute path, as the user invoked it). It is relative to dir when both are in one Git work
// tree: the path then holds in every clone of the repository, and Config Sync, which runs
// kustomize in its own checkout, can use no other. Otherwise it is executable itself: a relative
// path out of a work tree would hold on this machine only, and an absolute one also lets kpt, which
// resolves exec paths from the directory it runs in, render the package from anywhere.
func ExecPath(dir, executable string) (path string, relative bool, err error) {
	realDir, err := realPath(dir)
	if err != nil {
		return "", false, err
	}
	// The binary's directory is resolved like dir, the binary itself is not: a link such as
	// /usr/local/bin/gateway-pattern -> .../1.2.3/gateway-pattern keeps working after an upgrade.
	exeDir, err := realPath(filepath.Dir(executable))
	if err != nil {
		return "", false, err
	}
	root, err := workTree(realDir)
	if err != nil || root == "" {
		return executable, false, err
	}
	if exeRoot, err := workTree(exeDir); err != nil || exeRoot != root {
		return executable, false, err
	}
	rel, err := filepath.Rel(realDir, filepath.Join(exeDir, filepath.Base(executable)))
	if err != nil {
		return executable, false, nil
	}
	return rel, true, nil
}

// realPath is path made absolute with every symbolic link resolved, for a path that may not exist
// yet: its deepest existing ancestor is resolved and the rest appended.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var rest []string
	for dir := abs; ; dir = filepath.Dir(dir) {
		resolved, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return filepath.Join(append([]string{resolved}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return "", err
		}
		rest = append([]string{filepath.Base(dir)}, rest...)
	}
}

// workTree is the top directory of the Git work tree that holds dir (the nearest directory with a
// .git entry: a directory, or a file in a linked work tree or a submodule), or "" outside one.
func workTree(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			return "", err
		}
		if filepath.Dir(d) == d {
			return "", nil
		}
	}
}

// QualifiedImage is image with Docker's default registry and namespace when it names none
// (gateway-pattern:dev is docker.io/library/gateway-pattern:dev): the same image to Docker and
// kustomize, while kpt reads a name without a "/" as one of its catalog's
// (ghcr.io/kptdev/krm-functions-catalog/gateway-pattern:dev).
func QualifiedImage(image string) string {
	if strings.Contains(image, "/") {
		return image
	}
	return "docker.io/library/" + image
}
