"""Prints which resource ids a filtered Bundle kept and withheld, in input
order, and checks that every kept entry is byte for byte the input's."""
import json
import sys

source_text = open(sys.argv[1], encoding="utf-8").read()
filtered_text = open(sys.argv[2], encoding="utf-8").read()
source = json.loads(source_text)
filtered = json.loads(filtered_text)
kept_ids = [e["resource"]["id"] for e in filtered.get("entry", [])]
all_ids = [e["resource"]["id"] for e in source["entry"]]
withheld = [i for i in all_ids if i not in kept_ids]
print(f"kept {len(kept_ids)}: {' '.join(kept_ids)}")
print(f"withheld {len(withheld)}: {' '.join(withheld)}")

# Byte identity: re-find each kept entry object in the output and the input.
decoder = json.JSONDecoder()
def entry_texts(text):
    start = text.index('"entry"')
    start = text.index("[", start) + 1
    out = []
    i = start
    while True:
        while text[i] in " \t\r\n,":
            i += 1
        if text[i] == "]":
            return out
        _, end = decoder.raw_decode(text, i)
        out.append(text[i:end])
        i = end
bad = [t[:60] for t in entry_texts(filtered_text) if t not in source_text] if kept_ids else []
print("kept entries are byte-identical to the input" if not bad else f"CHANGED: {bad}")
