#!/usr/bin/env python3
"""Writes a model file of N entities to stdout, for timing `sorights import`
(docs/performance.md, "Importing a model file").

Usage: make_import_file.py N [groups|mixed] > big.json
  groups  N groups
  mixed   N/2 groups and N/2 users (default), each user in one group and one
          other group, role level-3, company acme, plan basic
"""
import json
import sys

n = int(sys.argv[1])
kind = sys.argv[2] if len(sys.argv) > 2 else "mixed"
groups = n // 2 if kind == "mixed" else n
users = n - groups
model = {
    "format": "sorights-model/1",
    "our_companies": [{"id": "acme", "name": "Acme", "database_owner": True}],
    "licences": [{"id": "user", "kind": "user", "unrestricted": True}],
    "plans": [{"id": "basic", "licences": ["user"]}],
    "groups": [{"id": "g%07d" % i, "name": "Group %d" % i} for i in range(groups)],
    "users": [{"id": "u%07d" % i, "company": "acme", "role": "level-3", "group": "g%07d" % (i % groups),
               "other_groups": ["g%07d" % ((i * 7 + 1) % groups)], "plan": "basic"} for i in range(users)],
}
json.dump(model, sys.stdout)
