import glob, time, re
import pysbd, blingfire
from syntok import segmenter
files = sorted(glob.glob(str(__import__('pathlib').Path(__file__).resolve().parents[2] / 'shared' / 'seeds' / '0*.txt')))
paras = [p for f in files for p in open(f).read().split('\n') if p.strip()]
def s_pysbd(p, seg=pysbd.Segmenter(language='en', clean=False, char_span=True)):
    return [s.sent.strip() for s in seg.segment(p)]
def s_bling(p):
    return [p[a:b] for a,b in blingfire.text_to_sentences_and_offsets(p)[1]]
def s_syntok(p):
    out=[]
    for para in segmenter.analyze(p):
        for sent in para:
            toks=list(sent); out.append(p[toks[0].offset-len(toks[0].spacing):toks[-1].offset+len(toks[-1].value)].strip())
    return out
for name,fn in [('pysbd',s_pysbd),('blingfire',s_bling),('syntok',s_syntok)]:
    t=time.perf_counter(); res=[s for p in paras for s in fn(p)]; dt=time.perf_counter()-t
    bad=[s for s in res if re.match(r'^[a-z]',s) or re.search(r'\b(U\.S|Mr|Dr)\.$',s)]
    print(name, len(res), f'{dt*1000:.1f}ms', 'suspicious:', bad[:6])
import difflib
A=[s for p in paras for s in s_pysbd(p)]; B=[s for p in paras for s in s_bling(p)]; C=[s for p in paras for s in s_syntok(p)]
for x,y,n in [(A,B,'pysbd vs bling'),(A,C,'pysbd vs syntok')]:
    print('==',n)
    for op in difflib.SequenceMatcher(None,x,y).get_opcodes():
        if op[0]!='equal': print(op[0], x[op[1]:op[2]], '|||', y[op[3]:op[4]])
