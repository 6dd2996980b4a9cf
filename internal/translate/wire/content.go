package wire

import (
	"kirodesk/internal/canon"
	"kirodesk/internal/translate/jsontree"
)

// Content reads a message's content, cv at cp, which every client API
// gives as a string or an array of parts: a string is one text block (none
// when empty); each element of an array is read by part, which says whether
// its block is kept (an empty text part is not); anything else is a type
// error naming want. What parts an API allows, and whether the content may
// be absent or empty, is its reader's business.
func Content(d *jsontree.Doc, cv *jsontree.Value, cp jsontree.Path, want string,
	part func(pv *jsontree.Value, pp jsontree.Path) (b canon.Block, keep bool, err error)) ([]canon.Block, error) {
	switch cv.Kind {
	case jsontree.String:
		if cv.Str == "" {
			return nil, nil
		}
		return []canon.Block{{Type: canon.BlockText, Text: cv.Str}}, nil
	case jsontree.Array:
		var out []canon.Block
		for j, pv := range cv.Elems {
			b, keep, err := part(pv, cp.Idx(j))
			if err != nil {
				return nil, err
			}
			if keep {
				out = append(out, b)
			}
		}
		return out, nil
	}
	return nil, d.TypeErr(cp, cv, want)
}
