package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ExistsError says which files a package would have overwritten.
type ExistsError struct {
	// Paths are the files that exist, as filepath.Join(dir, name).
	Paths []string
}

func (e *ExistsError) Error() string {
	verb := "exists"
	if len(e.Paths) > 1 {
		verb = "exist"
	}
	return fmt.Sprintf("%s already %s; nothing was written (init never overwrites a file)", strings.Join(e.Paths, ", "), verb)
}

// Write writes files into dir, creating dir and its parents when missing, or writes nothing: when
// one of the files exists already (as anything, a dangling symbolic link included) it returns an
// *ExistsError naming every one that does, and when a write fails it removes what it wrote.
func Write(dir string, files []File) error {
	var exists ExistsError
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if _, err := os.Lstat(path); err == nil {
			exists.Paths = append(exists.Paths, path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if len(exists.Paths) > 0 {
		return &exists
	}
	created, err := makeDirs(dir)
	if err != nil {
		return err
	}
	var written []string
	undo := func() {
		for _, path := range written {
			os.Remove(path)
		}
		for _, d := range created {
			os.Remove(d) // only when empty: nothing of anyone else's is removed
		}
	}
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		// O_EXCL: a file that appeared since the check above is not overwritten either.
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			undo()
			if errors.Is(err, fs.ErrExist) {
				return &ExistsError{Paths: []string{path}}
			}
			return err
		}
		written = append(written, path)
		_, err = file.Write(f.Data)
		if closeErr := file.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			undo()
			return err
		}
	}
	return nil
}

// makeDirs creates dir and its missing parents, and returns those it created, deepest first.
func makeDirs(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return missing, nil
}
