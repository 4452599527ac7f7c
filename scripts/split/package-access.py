#!/usr/bin/env python3
"""For merging branches into the module split (issue 16): run on the Model/SQL files a branch
changed (python3 scripts/split/package-access.py FILE...). Gives every declaration without an access modifier `package` access, where it sits at file or
type scope (not inside function bodies, protocols, public/private extensions or private types)."""
import re, sys

ACCESS = re.compile(r'\b(public|private|fileprivate|internal|open|package)\b(?!\s*\(set\))')
DECL = re.compile(r'^(?P<ind>\s*)(?P<attrs>(?:@\w+(?:\([^)]*\))?\s+)*)(?P<mods>(?:(?:static|final|mutating|nonmutating|override|convenience|required|lazy|nonisolated(?:\(unsafe\))?|indirect|weak|unowned|dynamic|class|internal|private\(set\)|fileprivate\(set\)|internal\(set\))\s+)*)(?P<kw>func|var|let|init[?!]?|subscript|struct|class|enum|protocol|typealias|actor)\b')

def strip(line, state):
    """Remove comments and string contents; state carries block-comment depth / multiline string."""
    out = []; i = 0; n = len(line)
    while i < n:
        if state['ml']:
            j = line.find(state['ml'], i)
            if j < 0: return ''.join(out)
            i = j + len(state['ml']); state['ml'] = None; continue
        if state['bc']:
            j1 = line.find('*/', i); j2 = line.find('/*', i)
            if j2 >= 0 and (j1 < 0 or j2 < j1): state['bc'] += 1; i = j2 + 2; continue
            if j1 < 0: return ''.join(out)
            state['bc'] -= 1; i = j1 + 2; continue
        c = line[i]
        if line.startswith('//', i): break
        if line.startswith('/*', i): state['bc'] = 1; i += 2; continue
        m = re.match(r'(#*)"""', line[i:])
        if m:
            state['ml'] = '"""' + m.group(1); i += len(m.group(0)); continue
        m = re.match(r'(#*)"', line[i:])
        if m:
            hashes = m.group(1); i += len(m.group(0)); end = '"' + hashes
            while i < n:
                if not hashes and line[i] == '\\': i += 2; continue
                if line.startswith(end, i): i += len(end); break
                i += 1
            out.append('""'); continue
        out.append(c); i += 1
    return ''.join(out)

def process(path):
    lines = open(path).read().split('\n')
    state = {'ml': None, 'bc': 0}
    stack = []  # each: 'type', 'skip' (protocol/public ext/private type), 'other'
    pending = ''  # code text since last brace/statement, to classify the next '{'
    changed = 0
    for idx, line in enumerate(lines):
        was_in_string = state['ml'] is not None or state['bc'] > 0
        code = strip(line, state)
        if not was_in_string and all(s == 'type' for s in stack):
            m = DECL.match(line)
            if m and not ACCESS.search(m.group('attrs') + m.group('mods')):
                if not (m.group('kw') == 'class' and re.match(r'class\s+(func|var|let)', line.strip())) or True:
                    ins = m.start('mods')
                    if 'internal ' in m.group('mods'):
                        line = line[:ins] + m.group('mods').replace('internal ', 'package ', 1) + line[m.end('mods'):]
                    else:
                        line = line[:ins] + 'package ' + line[ins:]
                    lines[idx] = line; changed += 1
        for ch in code:
            if ch == '{':
                head = pending
                kind = 'other'
                mm = re.search(r'\b(struct|class|enum|extension|actor|protocol)\s+(?!func\b|var\b|let\b)[\w.]+[^{]*$', head)
                if mm and not re.search(r'\b(func|init|var|let|subscript)\b[^{]*$', head[mm.end(1):]) :
                    kind = 'type'
                    pre = head[:mm.start()]
                    if mm.group(1) == 'protocol': kind = 'skip'
                    elif mm.group(1) == 'extension' and re.search(r'\b(public|private|fileprivate|package|open)\s*$', pre.strip() + ' ' if False else pre.rstrip()): kind = 'skip'
                    elif re.search(r'\b(private|fileprivate)\b', pre.split('\n')[-1] if '\n' in pre else pre[-60:]): kind = 'skip'
                stack.append(kind); pending = ''
            elif ch == '}':
                if not stack: raise SystemExit(f'{path}:{idx+1}: unbalanced')
                stack.pop(); pending = ''
            elif ch == ';':
                pending = ''
            else:
                pending += ch
        pending += ' '
        # a complete declaration line without brace resets the head at line end when at type scope
        if code.strip() == '' : pass
    if stack: raise SystemExit(f'{path}: {len(stack)} unclosed')
    open(path, 'w').write('\n'.join(lines))
    return changed

total = 0
for p in sys.argv[1:]:
    c = process(p); total += c
    print(f'{c:4d} {p}')
print(total, 'declarations given package access')
