#!/usr/bin/env python3
"""For merging branches into the module split (issue 16): adds `import TenantWatchModel` /
`import TenantWatchSQL` to the given Core files that name a type of those modules.
Run from the repository root: python3 scripts/split/add-imports.py $(git diff --name-only ... )"""
import re,sys,os
names={'TenantWatchModel':set(),'TenantWatchSQL':set()}
src={'TenantWatchModel':'Sources/TenantWatchModel','TenantWatchSQL':'Sources/TenantWatchSQL'}
for mod,d in src.items():
    for f in os.listdir(d):
        for m in re.finditer(r'^(?:package |public )?(?:final )?(?:struct|class|enum|protocol|typealias|actor)\s+(\w+)',open(os.path.join(d,f)).read(),re.M):
            names[mod].add(m.group(1))
for p in sys.argv[1:]:
    txt=open(p).read()
    words=set(re.findall(r'\b[A-Z]\w+',re.sub(r'//.*','',txt)))
    need=[m for m in ('TenantWatchModel','TenantWatchSQL') if words & names[m] and f'import {m}\n' not in txt]
    if not need: continue
    lines=txt.split('\n')
    last=-1
    for i,l in enumerate(lines):
        if re.match(r'^(@testable )?import \w+',l): last=i
        elif l.strip() and not l.startswith('//') and last>=0: break
    new=[f'import {m}' for m in need]
    if last>=0: lines[last+1:last+1]=new
    else: lines[0:0]=new+['']
    open(p,'w').write('\n'.join(lines)); print(p,need)
