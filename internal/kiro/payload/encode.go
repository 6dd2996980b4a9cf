package payload

import (
	"bytes"
	"encoding/json"

	"kirodesk/internal/jsonw"
)

// appendPayload appends p as JSON: the bytes encoding/json's Encoder (with
// SetEscapeHTML(false), without its trailing newline) writes for it, which
// TestAppendPayloadMatchesEncodingJSON and FuzzAppendString hold it to.
// Written by hand because the body is most of the request's bytes and
// reflection over the wire types was about half of Build's time at 100 KB.
//
// The raw values (tool inputs, schemas) were validated where they were
// made (objectInput, CleanSchema); like encoding/json it compacts them.
func appendPayload(dst []byte, p *wirePayload) ([]byte, error) {
	cs := &p.ConversationState
	dst = append(dst, `{"conversationState":{"conversationId":`...)
	dst = jsonw.AppendString(dst, cs.ConversationID)
	dst = append(dst, `,"chatTriggerType":`...)
	dst = jsonw.AppendString(dst, cs.ChatTriggerType)
	dst = append(dst, `,"agentTaskType":`...)
	dst = jsonw.AppendString(dst, cs.AgentTaskType)
	dst = append(dst, `,"currentMessage":{`...)
	var err error
	if m := cs.CurrentMessage.UserInputMessage; m != nil {
		dst = append(dst, `"userInputMessage":`...)
		if dst, err = appendUserMessage(dst, m); err != nil {
			return nil, err
		}
	}
	dst = append(dst, '}')
	if len(cs.History) > 0 {
		dst = append(dst, `,"history":[`...)
		for i := range cs.History {
			h := &cs.History[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			if h.UserInputMessage != nil {
				dst = append(dst, `"userInputMessage":`...)
				if dst, err = appendUserMessage(dst, h.UserInputMessage); err != nil {
					return nil, err
				}
			}
			if a := h.AssistantResponseMessage; a != nil {
				if h.UserInputMessage != nil {
					dst = append(dst, ',')
				}
				dst = append(dst, `"assistantResponseMessage":{"content":`...)
				dst = jsonw.AppendString(dst, a.Content)
				if len(a.ToolUses) > 0 {
					dst = append(dst, `,"toolUses":[`...)
					for j := range a.ToolUses {
						u := &a.ToolUses[j]
						if j > 0 {
							dst = append(dst, ',')
						}
						dst = append(dst, `{"toolUseId":`...)
						dst = jsonw.AppendString(dst, u.ToolUseID)
						dst = append(dst, `,"name":`...)
						dst = jsonw.AppendString(dst, u.Name)
						dst = append(dst, `,"input":`...)
						if dst, err = appendRaw(dst, u.Input); err != nil {
							return nil, err
						}
						dst = append(dst, '}')
					}
					dst = append(dst, ']')
				}
				dst = append(dst, '}')
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, '}')
	if p.ProfileArn != "" {
		dst = append(dst, `,"profileArn":`...)
		dst = jsonw.AppendString(dst, p.ProfileArn)
	}
	return append(dst, '}'), nil
}

func appendUserMessage(dst []byte, m *wireUserInputMessage) ([]byte, error) {
	dst = append(dst, `{"content":`...)
	dst = jsonw.AppendString(dst, m.Content)
	dst = append(dst, `,"modelId":`...)
	dst = jsonw.AppendString(dst, m.ModelID)
	dst = append(dst, `,"origin":`...)
	dst = jsonw.AppendString(dst, m.Origin)
	if len(m.Images) > 0 {
		dst = append(dst, `,"images":[`...)
		for i := range m.Images {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"format":`...)
			dst = jsonw.AppendString(dst, m.Images[i].Format)
			dst = append(dst, `,"source":{"bytes":`...)
			dst = jsonw.AppendString(dst, m.Images[i].Source.Bytes)
			dst = append(dst, `}}`...)
		}
		dst = append(dst, ']')
	}
	if c := m.UserInputMessageContext; c != nil {
		dst = append(dst, `,"userInputMessageContext":{`...)
		var err error
		if len(c.Tools) > 0 {
			dst = append(dst, `"tools":[`...)
			for i := range c.Tools {
				s := &c.Tools[i].ToolSpecification
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"toolSpecification":{"name":`...)
				dst = jsonw.AppendString(dst, s.Name)
				dst = append(dst, `,"description":`...)
				dst = jsonw.AppendString(dst, s.Description)
				dst = append(dst, `,"inputSchema":{"json":`...)
				if dst, err = appendRaw(dst, s.InputSchema.JSON); err != nil {
					return nil, err
				}
				dst = append(dst, `}}}`...)
			}
			dst = append(dst, ']')
		}
		if len(c.ToolResults) > 0 {
			if len(c.Tools) > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `"toolResults":[`...)
			for i := range c.ToolResults {
				r := &c.ToolResults[i]
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"toolUseId":`...)
				dst = jsonw.AppendString(dst, r.ToolUseID)
				dst = append(dst, `,"content":`...)
				if r.Content == nil {
					dst = append(dst, "null"...)
				} else {
					dst = append(dst, '[')
					for j := range r.Content {
						if j > 0 {
							dst = append(dst, ',')
						}
						dst = append(dst, `{"text":`...)
						dst = jsonw.AppendString(dst, r.Content[j].Text)
						dst = append(dst, '}')
					}
					dst = append(dst, ']')
				}
				dst = append(dst, `,"status":`...)
				dst = jsonw.AppendString(dst, r.Status)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// appendRaw appends a raw JSON value as encoding/json does: nil is null,
// anything else compacted. Values without space outside strings (what
// clients and CleanSchema send) are copied as they are.
func appendRaw(dst []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	if len(raw) > 0 && jsonw.IsCompact(raw) {
		return append(dst, raw...), nil
	}
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
