package policy

import "testing"

func TestRestoreParityOptions(t *testing.T) {
	o := DefaultRestoreOptions()
	o.ValidateOnly, o.IgnoreRecordError, o.ApplyMetadataLast = true, true, true
	c, err := NewRestore(o)
	if err != nil {
		t.Fatal(err)
	}
	if !c.ValidateOnly || !c.IgnoreRecordError || !c.ApplyMetadataLast {
		t.Errorf("validate %v, ignore-record-error %v, apply-metadata-last %v: want all set",
			c.ValidateOnly, c.IgnoreRecordError, c.ApplyMetadataLast)
	}

	o = DefaultRestoreOptions()
	o.WarmUp = 8
	if _, err := NewRestore(o); err != nil {
		t.Errorf("--warm-up 8: %v", err)
	}
	for name, mod := range map[string]func(*RestoreOptions){
		"negative warm-up":                func(o *RestoreOptions) { o.WarmUp = -2 },
		"negative skip-superseded-memory": func(o *RestoreOptions) { o.SupersededMiB = -1 },
		"validate+warm-up":                func(o *RestoreOptions) { o.ValidateOnly, o.WarmUp = true, 2 },
	} {
		o := DefaultRestoreOptions()
		mod(&o)
		if _, err := NewRestore(o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
