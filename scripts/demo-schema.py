#!/usr/bin/env python3
"""Generate and verify Caldicott's default demonstration coding schema.

The default schema (stdlib/schema/, see its README.md) is a small fragment of
SNOMED CT, ICD-10 and Read v2 with real identifiers. It is written entirely
from the source lists in this file: edit the lists, never the generated
files.

    python3 scripts/demo-schema.py PATH/TO/ValueSet-snomed-intl-gps.json [--check]

PATH is the SNOMED CT Global Patient Set list shipped in the npm package
hl7.terminology.r4@7.0.1 (package/ValueSet-snomed-intl-gps.json):

    npm pack hl7.terminology.r4@7.0.1 && tar xzf hl7.terminology.r4-7.0.1.tgz

The script
  * checks every SNOMED CT concept id and fully specified name (FSN) below
    against that list: a concept must be in it with exactly that FSN, or be
    one of the few listed as NOT_IN_GPS (root, top-level and metadata
    concepts, the UK reference sets), which are reported;
  * checks the IS-A graph (parents exist, no cycles, everything reaches the
    root 138875005) and the SCTIDs (Verhoeff check digit and partition);
  * writes the RF2 Snapshot files under stdlib/schema/snomed/, with synthetic
    description and relationship ids, and stdlib/schema/icd10.json and
    stdlib/schema/readv2.json (FHIR R4 CodeSystem resources);
  * checks that every snomed, icd10 and readv2 code used in stdlib/std/*.dsa
    and examples/*.dsa is in the schema, that every `|term|` after a SNOMED
    CT code is that concept's preferred term, and, when CodeSystem-v3-
    ActCode.json lies beside the GPS file, that every actcode code exists.

With --check nothing is written: the generated files are compared with the
ones on disk, and any difference is an error (for CI).

Exit status: 0 when everything verifies, 1 on any mismatch, 2 on usage or
I/O errors.

About the IS-A links. The GPS list has no hierarchy, so the parents below
were chosen by hand. Each link is one we are confident is real in the
International Edition (around its 2020-2025 releases), but the fragment
leaves most intermediate concepts out: where the immediate parent is absent,
or we were not sure which concept it is, a concept is linked to a real
HIGHER ANCESTOR instead (typically the semantic-tag top concept: 64572001
|Disease| for a disorder, 404684003 |Clinical finding| for a finding,
71388002 |Procedure|, 243120004 |Regimes and therapies|, 272379006 |Event|,
243796009 |Situation with explicit context|, 373873005 |Pharmaceutical /
biologic product|). Lines marked "# H" in SNOMED_CONCEPTS are such links.
So `<<` on the fragment never includes a concept that a real release would
exclude, but it can miss descendants that a real release includes: in
particular nicotine and tobacco dependence are NOT placed under drug
dependence here, and gout is not placed under arthropathy, because we could
not confirm those links.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "stdlib" / "schema"
SNOMED_DIR = SCHEMA_DIR / "snomed"
DSA_GLOBS = [("stdlib/std", "*.dsa"), ("examples", "*.dsa")]

EFFECTIVE_TIME = "20250101"
CORE_MODULE = "900000000000207008"  # SNOMED CT core module
UK_MODULE = "999000011000000103"  # SNOMED CT United Kingdom clinical extension module
PRIMITIVE = "900000000000074008"
FSN_TYPE = "900000000000003001"
SYNONYM_TYPE = "900000000000013009"
ISA_TYPE = "116680003"
INFERRED = "900000000000011006"
EXISTENTIAL = "900000000000451002"
GB_ENGLISH = "900000000000508004"
PREFERRED = "900000000000548007"
CASE_INSENSITIVE = "900000000000448009"  # entire term case insensitive
INITIAL_INSENSITIVE = "900000000000020002"  # only initial character case insensitive
CASE_SENSITIVE = "900000000000017005"  # entire term case sensitive
SCT_ROOT = "138875005"

# Synthetic SCTIDs for descriptions and relationships: item number, then the
# partition (01 description, 02 relationship), then the Verhoeff check digit.
# No namespace; these are NOT the ids of the real release.
DESCRIPTION_ITEM_BASE = 8_000_000
RELATIONSHIP_ITEM_BASE = 9_000_000
# Reference set member ids are UUIDs, derived deterministically.
MEMBER_NAMESPACE = uuid.UUID("6f0c8f3e-5b1e-4b8a-9d0e-0c41d1c0a5e1")

# ---------------------------------------------------------------------------
# SNOMED CT source list: `id | fully specified name | parent ids`, one concept
# a line. `-` for no parent (the root only). A trailing `# H` marks a link to
# a real higher ancestor rather than the immediate parent (see the module
# docstring); other `#` text is a comment. Every FSN is checked against the
# GPS list, except for the ids in NOT_IN_GPS.
SNOMED_CONCEPTS = """
# ------------------------------------------------------------ root and top level
138875005 | SNOMED CT Concept (SNOMED RT+CTV3) | -
404684003 | Clinical finding (finding) | 138875005
64572001 | Disease (disorder) | 404684003
71388002 | Procedure (procedure) | 138875005
243120004 | Regimes and therapies (regime/therapy) | 71388002
243796009 | Situation with explicit context (situation) | 138875005
417662000 | History of clinical finding in subject (situation) | 243796009  # H
416940007 | Past history of procedure (situation) | 243796009  # H
272379006 | Event (event) | 138875005
373873005 | Pharmaceutical / biologic product (product) | 138875005
105590001 | Substance (substance) | 138875005
123037004 | Body structure (body structure) | 138875005
363787002 | Observable entity (observable entity) | 138875005
410607006 | Organism (organism) | 138875005

# ------------------------------------------------------------ metadata
900000000000441003 | SNOMED CT Model Component (metadata) | 138875005
900000000000454005 | Foundation metadata concept (foundation metadata concept) | 900000000000441003
900000000000455006 | Reference set (foundation metadata concept) | 900000000000454005
446609009 | Simple type reference set (foundation metadata concept) | 900000000000455006
900000000000506000 | Language type reference set (foundation metadata concept) | 900000000000455006
900000000000508004 | Great Britain English language reference set (foundation metadata concept) | 900000000000506000
# UK Edition data-sharing exclusion reference sets (UK module; terms unverified).
999004351000000109 | GP summary data sharing exclusion for gender related issues simple reference set (foundation metadata concept) | 446609009
999004371000000100 | GP summary data sharing exclusion for assisted fertilisation simple reference set (foundation metadata concept) | 446609009
999004361000000107 | GP summary data sharing exclusion for termination of pregnancy simple reference set (foundation metadata concept) | 446609009
999004381000000103 | GP summary data sharing exclusion for sexually transmitted disease simple reference set (foundation metadata concept) | 446609009

# ------------------------------------------------------------ body systems (groupers)
362969004 | Disorder of endocrine system (disorder) | 64572001  # H
118940003 | Disorder of nervous system (disorder) | 64572001  # H
49601007 | Disorder of cardiovascular system (disorder) | 64572001  # H
50043002 | Disorder of respiratory system (disorder) | 64572001  # H
27550009 | Disorder of blood vessel (disorder) | 49601007
56265001 | Heart disease (disorder) | 49601007

# ------------------------------------------------------------ diabetes
73211009 | Diabetes mellitus (disorder) | 362969004
46635009 | Diabetes mellitus type 1 (disorder) | 73211009
23045005 | Insulin dependent diabetes mellitus type IA (disorder) | 46635009
44054006 | Diabetes mellitus type 2 (disorder) | 73211009
81531005 | Diabetes mellitus type 2 in obese (disorder) | 44054006
237599002 | Insulin treated type 2 diabetes mellitus (disorder) | 44054006
8801005 | Secondary diabetes mellitus (disorder) | 73211009
5368009 | Drug-induced diabetes mellitus (disorder) | 8801005
190447002 | Steroid-induced diabetes (disorder) | 5368009
75524006 | Malnutrition related diabetes mellitus (disorder) | 73211009
11687002 | Gestational diabetes mellitus (disorder) | 73211009  # H
74627003 | Complication due to diabetes mellitus (disorder) | 73211009
420868002 | Disorder due to type 1 diabetes mellitus (disorder) | 46635009 74627003
422014003 | Disorder due to type 2 diabetes mellitus (disorder) | 44054006 74627003
25093002 | Disorder of eye due to diabetes mellitus (disorder) | 74627003
4855003 | Retinopathy due to diabetes mellitus (disorder) | 25093002
59276001 | Proliferative retinopathy due to diabetes mellitus (disorder) | 4855003
127013003 | Disorder of kidney due to diabetes mellitus (disorder) | 74627003
26298008 | Ketoacidotic coma due to diabetes mellitus (disorder) | 74627003
230572002 | Neuropathy due to diabetes mellitus (disorder) | 74627003 118940003
50620007 | Autonomic neuropathy due to diabetes mellitus (disorder) | 230572002
424736006 | Peripheral neuropathy due to diabetes mellitus (disorder) | 230572002 302226006
49455004 | Polyneuropathy due to diabetes mellitus (disorder) | 230572002 42345000  # H
127014009 | Peripheral angiopathy due to diabetes mellitus (disorder) | 74627003 400047006
201724008 | Neuropathic arthropathy due to diabetes mellitus (disorder) | 74627003 399269003
280137006 | Diabetic foot (disorder) | 74627003 118932009
371087003 | Ulcer of foot due to diabetes mellitus (disorder) | 74627003 95345008
201250006 | Ischemic ulcer of foot due to diabetes mellitus (disorder) | 371087003
201251005 | Neuropathic ulcer of foot due to diabetes mellitus (disorder) | 371087003
161445009 | History of diabetes mellitus (situation) | 417662000
170745003 | Diabetic on diet only (finding) | 404684003  # H
170746002 | Diabetic on oral treatment (finding) | 404684003  # H
170747006 | Diabetic on insulin (finding) | 404684003  # H
170742000 | Diabetic monitoring (regime/therapy) | 243120004  # H
170777000 | Diabetic annual review (regime/therapy) | 243120004  # H
401191002 | Diabetic foot examination (regime/therapy) | 243120004  # H
394683006 | Diabetic foot risk assessment (procedure) | 71388002  # H

# ------------------------------------------------------------ medicinal products and substances
384953001 | Medicinal product acting as antidiabetic agent (product) | 373873005  # H
312064005 | Hypoglycemic agent (product) | 373873005  # H
109081006 | Product containing metformin (medicinal product) | 373873005  # H
81839001 | Medicinal product acting as anticoagulant agent (product) | 373873005  # H
48603004 | Product containing warfarin (medicinal product) | 373873005  # H
84812008 | Product containing heparin (medicinal product) | 373873005  # H
87233003 | Product containing low molecular weight heparin (product) | 373873005  # H
7947003 | Product containing aspirin (medicinal product) | 373873005  # H
27658006 | Product containing amoxicillin (medicinal product) | 373873005  # H
796001 | Product containing digoxin (medicinal product) | 373873005  # H
372862008 | Anticoagulant (substance) | 105590001  # H
372877000 | Heparin (substance) | 105590001  # H
373294004 | Low molecular weight heparin (substance) | 105590001  # H

# ------------------------------------------------------------ allergy and adverse reaction
420134006 | Propensity to adverse reaction (finding) | 404684003
609328004 | Allergic disposition (finding) | 420134006  # H
419199007 | Allergy to substance (finding) | 609328004
416098002 | Allergy to drug (finding) | 419199007
91936005 | Allergy to penicillin (finding) | 416098002
294505008 | Allergy to amoxicillin (finding) | 416098002  # H
293586001 | Allergy to aspirin (finding) | 416098002
414285001 | Allergy to food (finding) | 419199007
91935009 | Allergy to peanut (finding) | 414285001
300916003 | Allergy to latex (finding) | 419199007
473011001 | Allergic condition (finding) | 404684003  # H
419076005 | Allergic reaction (disorder) | 64572001  # H
418634005 | Allergic reaction caused by substance (disorder) | 419076005
416093006 | Allergic reaction caused by drug (disorder) | 418634005
282100009 | Adverse reaction caused by substance (disorder) | 64572001  # H
62014003 | Adverse reaction caused by drug (disorder) | 282100009
292954005 | Penicillin adverse reaction (disorder) | 62014003

# ------------------------------------------------------------ arthritis and gout
399269003 | Arthropathy (disorder) | 64572001  # H
3723001 | Arthritis (disorder) | 399269003
396275006 | Osteoarthritis (disorder) | 3723001
201819000 | Generalized osteoarthritis (disorder) | 396275006
239872002 | Osteoarthritis of hip (disorder) | 396275006
239873007 | Osteoarthritis of knee (disorder) | 396275006
239874001 | Osteoarthritis of ankle (disorder) | 396275006
239878003 | Osteoarthritis of toe joint (disorder) | 396275006
69896004 | Rheumatoid arthritis (disorder) | 3723001
239791005 | Seropositive rheumatoid arthritis (disorder) | 69896004
239792003 | Seronegative rheumatoid arthritis (disorder) | 69896004
201771002 | Rheumatoid arthritis of wrist (disorder) | 69896004
9014002 | Psoriasis (disorder) | 64572001  # H
33339001 | Psoriasis with arthropathy (disorder) | 399269003 9014002  # H
9631008 | Ankylosing spondylitis (disorder) | 399269003  # H
# Gout (its 2020 FSN): not linked under arthropathy, see the docstring.
90560007 | Inflammatory disorder due to increased blood urate level (disorder) | 64572001  # H
24595009 | Primary gout (disorder) | 90560007
73877009 | Chronic tophaceous gout (disorder) | 90560007
48440001 | Arthritis due to gout (disorder) | 3723001 90560007
67148009 | Arthritis of great toe due to gout (disorder) | 48440001
68451005 | Chronic arthritis due to gout (disorder) | 48440001
190828008 | Gouty arthropathy (disorder) | 90560007 399269003
161451004 | History of gout (situation) | 417662000

# ------------------------------------------------------------ lower limb and foot: disorders
118937003 | Disorder of lower extremity (disorder) | 64572001  # H
118932009 | Disorder of foot (disorder) | 118937003
442246002 | Disorder of joint of ankle and/or foot (disorder) | 118937003  # H
88562000 | Acquired deformity of ankle AND/OR foot (disorder) | 118937003  # H
240244006 | Acquired deformity of joint of foot (disorder) | 88562000
65362007 | Acquired cavovarus deformity of foot (disorder) | 88562000
122480009 | Hallux valgus (disorder) | 118932009  # H
65358001 | Acquired hallux valgus (disorder) | 122480009 88562000
122481008 | Hammer toe (disorder) | 118932009  # H
127279002 | Injury of lower extremity (disorder) | 118937003
46866001 | Fracture of lower limb (disorder) | 127279002  # H
125604000 | Injury of foot (disorder) | 127279002 118932009
15574005 | Fracture of foot (disorder) | 125604000
49388007 | Sprain of foot (disorder) | 125604000
282776008 | Injury of toe (disorder) | 125604000
95344007 | Ulcer of lower extremity (disorder) | 118937003
26649005 | Chronic ulcer of lower extremity (disorder) | 95344007
95345008 | Ulcer of foot (disorder) | 95344007 118932009
301021005 | Ulcer of toe (disorder) | 95345008
17790008 | Disorder of nail (disorder) | 64572001  # H
400097005 | Ingrowing nail (disorder) | 17790008
400200009 | Ingrowing toenail (disorder) | 400097005 118932009
201108001 | Ingrowing great toenail (disorder) | 400200009
414941008 | Onychomycosis (disorder) | 17790008
403059006 | Onychomycosis of toenails (disorder) | 414941008 118932009
229811005 | Foot callus (disorder) | 118932009  # H
201038005 | Corn - lesion (disorder) | 64572001  # H
46014006 | Corn of toe (disorder) | 201038005 118932009
63440008 | Verruca plantaris (disorder) | 118932009  # H
128276007 | Cellulitis of foot (disorder) | 118932009  # H
299990002 | Infection of foot (disorder) | 118932009  # H

# ------------------------------------------------------------ lower limb and foot: findings
299478007 | Foot problem (finding) | 404684003  # H
309567004 | Toe problem (finding) | 404684003  # H
699370008 | Symptom of foot (finding) | 404684003  # H
699368004 | Symptom of ankle (finding) | 404684003  # H
22253000 | Pain (finding) | 404684003  # H
10601006 | Pain in lower limb (finding) | 22253000  # H
47933007 | Foot pain (finding) | 10601006  # H
285365001 | Pain in toe (finding) | 47933007
449715001 | Deformity of lower limb (finding) | 404684003  # H
229844004 | Deformity of foot (finding) | 449715001
249808002 | Equinovarus deformity of foot (finding) | 229844004
267038008 | Edema (finding) | 404684003  # H
102572006 | Edema of lower extremity (finding) | 267038008  # H
102576009 | Edema of foot (finding) | 102572006
65124004 | Swelling (finding) | 404684003  # H
449614009 | Swelling of lower limb (finding) | 65124004  # H
297142003 | Foot swelling (finding) | 449614009
277890004 | Toe swelling (finding) | 297142003
44077006 | Numbness (finding) | 404684003  # H
309537005 | Numbness of lower limb (finding) | 44077006  # H
91019004 | Paresthesia (finding) | 404684003  # H
429783005 | Paresthesia of lower extremity (finding) | 91019004  # H
714664001 | At risk of ulcer of foot due to diabetes mellitus (finding) | 404684003  # H
816117000 | Amputated lower limb (finding) | 404684003  # H
160779001 | Domiciliary chiropody (finding) | 404684003  # H

# ------------------------------------------------------------ lower limb and foot: procedures
81723002 | Amputation (procedure) | 71388002  # H
397117006 | Amputation of lower limb (procedure) | 81723002
371186005 | Amputation of toe (procedure) | 81723002 118716003
118949002 | Procedure on extremity (procedure) | 71388002  # H
118716003 | Procedure on foot (procedure) | 118949002  # H
61661004 | Operative procedure on foot (procedure) | 118716003
127601009 | Hammer toe operation (procedure) | 61661004
27480002 | Excision of bunion (procedure) | 61661004
161622006 | History of lower limb amputation (situation) | 416940007
429280009 | History of amputation of foot (situation) | 416940007  # H
427892008 | History of amputation of lesser toe (situation) | 416940007  # H
428835005 | History of amputation of hallux (situation) | 416940007  # H
385955003 | Foot care (regime/therapy) | 243120004  # H
409073007 | Education (procedure) | 71388002  # H
385956002 | Foot care education (procedure) | 409073007
229826007 | Reduction of callus (procedure) | 71388002  # H
134388005 | Monofilament foot sensation test (procedure) | 71388002  # H
713130008 | Assessment of diabetic foot ulcer (procedure) | 71388002  # H
713150007 | Diabetic foot ulcer prevention (regime/therapy) | 243120004  # H
3457005 | Patient referral (procedure) | 71388002  # H
308451001 | Referral to podiatrist (procedure) | 3457005

# ------------------------------------------------------------ circulation, heart, lungs, nervous system
400047006 | Peripheral vascular disease (disorder) | 27550009
399957001 | Peripheral arterial occlusive disease (disorder) | 400047006
405557003 | Occlusion of lower limb artery (disorder) | 399957001 118937003
233962007 | Critical lower limb ischemia (disorder) | 400047006 118937003
63491006 | Intermittent claudication (finding) | 404684003  # H
38341003 | Hypertensive disorder, systemic arterial (disorder) | 49601007  # H
59621000 | Essential hypertension (disorder) | 38341003
84114007 | Heart failure (disorder) | 56265001  # H
42343007 | Congestive heart failure (disorder) | 84114007
85232009 | Left heart failure (disorder) | 84114007
49436004 | Atrial fibrillation (disorder) | 56265001  # H
282825002 | Paroxysmal atrial fibrillation (disorder) | 49436004
440028005 | Permanent atrial fibrillation (disorder) | 49436004
62914000 | Cerebrovascular disease (disorder) | 118940003 27550009  # H
230690007 | Cerebrovascular accident (disorder) | 62914000
422504002 | Ischemic stroke (disorder) | 230690007
161501007 | History of hypertension (situation) | 417662000
161505003 | History of heart failure (situation) | 417662000
312442005 | History of atrial fibrillation (situation) | 417662000
275526006 | History of cerebrovascular accident (situation) | 417662000
195967001 | Asthma (disorder) | 50043002  # H
389145006 | Allergic asthma (disorder) | 195967001
266361008 | Non-allergic asthma (disorder) | 195967001
13645005 | Chronic obstructive lung disease (disorder) | 50043002  # H
195951007 | Acute exacerbation of chronic obstructive airways disease (disorder) | 13645005
394700004 | Asthma annual review (regime/therapy) | 243120004  # H
128613002 | Seizure disorder (disorder) | 118940003  # H
84757009 | Epilepsy (disorder) | 128613002
19598007 | Generalized epilepsy (disorder) | 84757009
352818000 | Tonic-clonic epilepsy (disorder) | 84757009  # H
193000002 | Temporal lobe epilepsy (disorder) | 84757009  # H
91175000 | Seizure (finding) | 404684003  # H
313307000 | Epileptic seizure (finding) | 91175000
302226006 | Peripheral nerve disease (disorder) | 118940003  # H
42345000 | Polyneuropathy (disorder) | 302226006
7916009 | Alcoholic polyneuropathy (disorder) | 42345000

# ------------------------------------------------------------ infections; sexual health and HIV
40733004 | Infectious disease (disorder) | 64572001
87628006 | Bacterial infectious disease (disorder) | 40733004
34014006 | Viral disease (disorder) | 40733004
8098009 | Sexually transmitted infectious disease (disorder) | 40733004
76272004 | Syphilis (disorder) | 8098009 87628006  # H
13095005 | Primary symptomatic early syphilis (disorder) | 76272004  # H
72083004 | Late syphilis (disorder) | 76272004
26039008 | Neurosyphilis (disorder) | 76272004  # H
15628003 | Gonorrhea (disorder) | 8098009 87628006  # H
27681008 | Chronic gonorrhea (disorder) | 15628003
42746002 | Gonorrhea of rectum (disorder) | 15628003
74372003 | Gonorrhea of pharynx (disorder) | 15628003
105629000 | Chlamydial infection (disorder) | 87628006
240589008 | Chlamydia trachomatis infection (disorder) | 105629000
420910002 | Chlamydia trachomatis infection of anus and rectum (disorder) | 240589008
179101003 | Urethritis caused by Chlamydia trachomatis (disorder) | 240589008
23513009 | Herpesvirus infection (disorder) | 34014006  # H
88594005 | Herpes simplex (disorder) | 23513009
33839006 | Genital herpes simplex (disorder) | 88594005 8098009
402888002 | Primary herpes simplex infection of genitalia (disorder) | 33839006
402894005 | Recurrent genital herpes simplex (disorder) | 33839006
423391007 | Genital herpes simplex type 2 (disorder) | 33839006
186538004 | Anogenital herpesviral infection (disorder) | 23513009
240542006 | Anogenital warts (disorder) | 34014006  # H
266113007 | Genital warts (disorder) | 240542006
240598006 | Penile warts (disorder) | 266113007
266114001 | Perianal warts (disorder) | 240542006
56335008 | Infection caused by Trichomonas (disorder) | 40733004  # H
35089004 | Urogenital infection caused by Trichomonas vaginalis (disorder) | 56335008
276877003 | Trichomonal vaginitis (disorder) | 35089004
86406008 | Human immunodeficiency virus infection (disorder) | 34014006  # H
62479008 | Acquired immune deficiency syndrome (disorder) | 86406008
91947003 | Asymptomatic human immunodeficiency virus infection (disorder) | 86406008
165816005 | Human immunodeficiency virus positive (finding) | 404684003  # H
165813002 | Human immunodeficiency virus antibody test (procedure) | 71388002  # H
444356002 | Exposure to Human immunodeficiency virus (event) | 272379006  # H
102920009 | Fear of contracting human immunodeficiency virus infection (finding) | 404684003  # H
275881005 | History of sexually transmitted disease (situation) | 417662000
407560009 | At risk of sexually transmitted infection (finding) | 404684003  # H
409063005 | Counseling (procedure) | 71388002  # H
445563009 | Counseling for sexually transmitted disease (procedure) | 409063005
171023003 | Psychosexual counseling (procedure) | 409063005
19030005 | Human immunodeficiency virus (organism) | 410607006  # H
68704007 | Neisseria gonorrhoeae (organism) | 410607006  # H
63938009 | Chlamydia trachomatis (organism) | 410607006  # H

# ------------------------------------------------------------ reproductive health
63487001 | Assisted fertilization (procedure) | 71388002  # H
52637005 | Test tube ovum fertilization (procedure) | 63487001
425866000 | In vitro fertilization using donor eggs (procedure) | 52637005
425901007 | In vitro fertilization with intracytoplasmic sperm injection (procedure) | 52637005
427664000 | In vitro fertilization using donor sperm (procedure) | 52637005
426417003 | In vitro fertilization with preimplantation genetic diagnosis (procedure) | 52637005
58533008 | Artificial insemination (procedure) | 63487001
46249006 | Artificial insemination, heterologous (procedure) | 58533008
66601000 | Artificial insemination, homologous (procedure) | 58533008
265064001 | Intrauterine artificial insemination (procedure) | 58533008
236896006 | Artificial insemination by donor (procedure) | 58533008
102875003 | Surrogate pregnancy (finding) | 404684003  # H
386639001 | Termination of pregnancy (procedure) | 71388002  # H
18302006 | Therapeutic abortion by hysterotomy (procedure) | 386639001  # H
52660002 | Induced abortion following intra-amniotic injection with hysterotomy (procedure) | 386639001  # H
57797005 | Induced termination of pregnancy (disorder) | 64572001  # H
39406005 | Legally induced abortion (disorder) | 57797005
10383002 | Counseling for termination of pregnancy (procedure) | 409063005
183606009 | Referral for counseling for termination of pregnancy (procedure) | 3457005  # H

# ------------------------------------------------------------ gender identity
87991007 | Gender identity disorder (disorder) | 74732009  # H
18003009 | Gender identity disorder of adulthood (disorder) | 87991007
407374003 | Transsexual (finding) | 404684003  # H
407375002 | Surgically transgendered transsexual (finding) | 407374003
407376001 | Male-to-female transsexual (finding) | 407374003
407377005 | Female-to-male transsexual (finding) | 407374003
772004004 | Non-binary gender (finding) | 404684003  # H
765289008 | Sexual relationship problem due to gender identity confusion (finding) | 404684003  # H

# ------------------------------------------------------------ mental health
74732009 | Mental disorder (disorder) | 64572001
35489007 | Depressive disorder (disorder) | 74732009  # H
370143000 | Major depressive disorder (disorder) | 35489007
310495003 | Mild depression (disorder) | 35489007
310496002 | Moderate depression (disorder) | 35489007
58703003 | Postpartum depression (disorder) | 35489007
13746004 | Bipolar disorder (disorder) | 74732009  # H
58214004 | Schizophrenia (disorder) | 74732009  # H
64905009 | Paranoid schizophrenia (disorder) | 58214004
21897009 | Generalized anxiety disorder (disorder) | 74732009  # H
72366004 | Eating disorder (disorder) | 74732009
56882008 | Anorexia nervosa (disorder) | 72366004
33449004 | Personality disorder (disorder) | 74732009
20010003 | Borderline personality disorder (disorder) | 33449004
413307004 | Mental health problem (finding) | 404684003  # H
48694002 | Anxiety (finding) | 404684003  # H
248062006 | Self-injurious behavior (finding) | 404684003  # H
82313006 | Suicide attempt (event) | 272379006  # H
6471006 | Suicidal thoughts (finding) | 404684003  # H
225457007 | Feeling suicidal (finding) | 404684003  # H
225444004 | At risk for suicide (finding) | 404684003  # H
401206008 | At risk for deliberate self harm (finding) | 404684003  # H
161469008 | History of depression (situation) | 417662000
161468000 | History of schizophrenia (situation) | 417662000
391281002 | Mental health assessment (procedure) | 71388002  # H
10197000 | Psychiatric interview and evaluation (procedure) | 71388002  # H
182790007 | Psychiatric monitoring (regime/therapy) | 243120004  # H
183524004 | Referral to psychiatry service (procedure) | 3457005  # H
308459004 | Referral to psychologist (procedure) | 3457005  # H
75516001 | Psychotherapy (regime/therapy) | 243120004  # H
171022008 | Psychological counseling (procedure) | 409063005
24172008 | Crisis intervention (regime/therapy) | 243120004  # H

# ------------------------------------------------------------ alcohol and drug misuse
66214007 | Substance abuse (disorder) | 64572001  # H
26416006 | Drug abuse (disorder) | 66214007
5602001 | Opioid abuse (disorder) | 26416006
37344009 | Cannabis abuse (disorder) | 26416006
78267003 | Cocaine abuse (disorder) | 26416006
15167005 | Alcohol abuse (disorder) | 66214007
191882002 | Nondependent alcohol abuse, continuous (disorder) | 15167005
191816009 | Drug dependence (disorder) | 64572001  # H
75544000 | Opioid dependence (disorder) | 191816009
85005007 | Cannabis dependence (disorder) | 191816009
31956009 | Cocaine dependence (disorder) | 191816009
# Not linked under drug dependence: see the docstring.
56294008 | Nicotine dependence (disorder) | 64572001  # H
89765005 | Tobacco dependence syndrome (disorder) | 64572001  # H
191889006 | Tobacco dependence in remission (disorder) | 89765005
7200002 | Alcoholism (disorder) | 64572001  # H
191811004 | Continuous chronic alcoholism (disorder) | 7200002
191813001 | Chronic alcoholism in remission (disorder) | 7200002
66590003 | Alcohol dependence (disorder) | 64572001  # H
228366006 | Finding relating to drug misuse behavior (finding) | 404684003  # H
228371004 | Long-term drug misuser (finding) | 228366006
228372006 | Poly-drug misuser (finding) | 228366006
371422002 | History of substance abuse (situation) | 417662000
371435006 | History of drug abuse (situation) | 417662000  # H
161466001 | History of alcoholism (situation) | 417662000
313071005 | Counseling for substance abuse (procedure) | 409063005
52052004 | Rehabilitation therapy (regime/therapy) | 243120004  # H
35637008 | Alcohol rehabilitation (regime/therapy) | 52052004
78092008 | Drug rehabilitation (regime/therapy) | 52052004
711116007 | Facilitation of drug abuse recovery (procedure) | 71388002  # H

# ------------------------------------------------------------ safeguarding
386702006 | Victim of abuse (finding) | 404684003  # H
397940009 | Victim of child abuse (finding) | 386702006
225826001 | Victim of sexual abuse (finding) | 386702006
95924005 | Victim of mental abuse (finding) | 386702006
42085001 | Victim of rape (finding) | 404684003  # H
17044007 | Victim of statutory rape (finding) | 42085001
95930005 | Victim of neglect (finding) | 404684003  # H
225823009 | Victim of exploitation (finding) | 404684003  # H
713834002 | Victim of child sexual exploitation (finding) | 225823009
734998001 | Victim of human trafficking (finding) | 404684003  # H
162596006 | Suspected victim of child abuse (situation) | 243796009  # H
418189009 | Child abuse (event) | 272379006  # H
213017001 | Sexual abuse (event) | 272379006  # H
95922009 | Child sex abuse (event) | 418189009 213017001
418496002 | Child neglect (event) | 272379006  # H
371772001 | Domestic abuse (event) | 272379006  # H
404189009 | Domestic violence (event) | 272379006  # H
225915006 | At risk of abuse (finding) | 404684003  # H
704659007 | Child at risk of abuse (finding) | 225915006
704349002 | At risk of elder abuse (finding) | 225915006
704658004 | Child at risk of neglect (finding) | 404684003  # H
417716002 | At risk of neglect by others (finding) | 404684003  # H
706874009 | At risk of elder neglect (finding) | 404684003  # H
707087005 | At risk of domestic violence (finding) | 404684003  # H
161051006 | At risk violence in the home (finding) | 404684003  # H
134187008 | Child protection procedure (regime/therapy) | 243120004  # H
710998001 | Monitoring for child abuse (regime/therapy) | 243120004  # H
313070006 | Counseling for domestic abuse (procedure) | 409063005
161056001 | In care (finding) | 404684003  # H

# ------------------------------------------------------------ body structures
61685007 | Lower limb structure (body structure) | 123037004  # H
56459004 | Foot structure (body structure) | 123037004  # H
29707007 | Toe structure (body structure) | 123037004  # H
"""

# Concepts absent from the GPS list, with where their id and FSN come from.
# They are reported on every run; their FSNs are not machine-checked.
NOT_IN_GPS = {
    "138875005": "root concept of SNOMED CT",
    "243120004": "top of the regime/therapy sub-hierarchy of Procedure",
    "243796009": "top-level hierarchy",
    "272379006": "top-level hierarchy",
    "373873005": "top-level hierarchy",
    "410607006": "top-level hierarchy",
    "417662000": "grouper for 'History of ...' situations",
    "900000000000441003": "top-level hierarchy (metadata)",
    "900000000000454005": "foundation metadata",
    "900000000000455006": "foundation metadata",
    "446609009": "foundation metadata",
    "900000000000506000": "foundation metadata",
    "900000000000508004": "GB English language reference set",
    "999004351000000109": "UK Edition reference set; term UNVERIFIED",
    "999004371000000100": "UK Edition reference set; term UNVERIFIED",
    "999004361000000107": "UK Edition reference set; term UNVERIFIED",
    "999004381000000103": "UK Edition reference set; term UNVERIFIED",
}
UK_CONCEPTS = {"999004351000000109", "999004371000000100", "999004361000000107", "999004381000000103"}

# Illustrative members of the UK data-sharing exclusion reference sets: a few
# concepts of the fragment that clearly belong. NOT the official membership
# (about 123, 164, 566 and 1,899 members in 2025).
REFSET_MEMBERS = {
    # gender related issues
    "999004351000000109": "87991007 18003009 407374003 407376001 407377005",
    # assisted fertilisation
    "999004371000000100": "63487001 52637005 425901007 58533008 265064001",
    # termination of pregnancy
    "999004361000000107": "386639001 18302006 57797005 39406005 10383002",
    # sexually transmitted disease
    "999004381000000103": "8098009 76272004 15628003 240589008 33839006 266113007 35089004",
}

# Terms whose case matters throughout (proper names, genus names, acronyms).
CASE_SENSITIVE_STARTS = ("SNOMED CT", "Great Britain", "GP ", "Chlamydia trachomatis", "Neisseria")

# ---------------------------------------------------------------------------
# ICD-10 (WHO, 2019 edition titles). The fourth-character subdivisions of
# E10-E14 are defined once for the block in the tabular list; their titles
# here are the category title followed by the subdivision.
ICD10_DIABETES_CATEGORIES = [
    ("E10", "Type 1 diabetes mellitus"),
    ("E11", "Type 2 diabetes mellitus"),
    ("E12", "Malnutrition-related diabetes mellitus"),
    ("E13", "Other specified diabetes mellitus"),
    ("E14", "Unspecified diabetes mellitus"),
]
ICD10_DIABETES_SUBDIVISIONS = [
    ("0", "with coma"),
    ("1", "with ketoacidosis"),
    ("2", "with renal complications"),
    ("3", "with ophthalmic complications"),
    ("4", "with neurological complications"),
    ("5", "with peripheral circulatory complications"),
    ("6", "with other specified complications"),
    ("7", "with multiple complications"),
    ("8", "with unspecified complications"),
    ("9", "without complications"),
]
# Chapter I, block A50-A64 (for sexual health groups): indented outline,
# `code | title`.
ICD10_CHAPTER_I = """
I | Certain infectious and parasitic diseases
  A50-A64 | Infections with a predominantly sexual mode of transmission
    A50 | Congenital syphilis
    A51 | Early syphilis
    A52 | Late syphilis
    A53 | Other and unspecified syphilis
    A54 | Gonococcal infection
    A55 | Chlamydial lymphogranuloma (venereum)
    A56 | Other sexually transmitted chlamydial diseases
      A56.0 | Chlamydial infection of lower genitourinary tract
    A57 | Chancroid
    A58 | Granuloma inguinale
    A59 | Trichomoniasis
    A60 | Anogenital herpesviral [herpes simplex] infection
      A60.0 | Herpesviral infection of genitalia and urogenital tract
    A63 | Other predominantly sexually transmitted diseases, not elsewhere classified
    A64 | Unspecified sexually transmitted disease
"""

# Read v2 (5-byte codes; the hierarchy is the code's own structure).
READV2 = """
C.... | Endocrine, nutritional, metabolic and immunity disorders
  C1... | Other endocrine gland diseases
    C10.. | Diabetes mellitus
      C100. | Diabetes mellitus with no mention of complication
        C1000 | Diabetes mellitus, juvenile type, with no mention of complication
        C1001 | Diabetes mellitus, adult onset, with no mention of complication
      C108. | Insulin dependent diabetes mellitus
      C109. | Non-insulin dependent diabetes mellitus
      C10E. | Type 1 diabetes mellitus
        C10E0 | Type 1 diabetes mellitus with renal complications
        C10E1 | Type 1 diabetes mellitus with ophthalmic complications
        C10E2 | Type 1 diabetes mellitus with neurological complications
        C10E8 | Type 1 diabetes mellitus - poor control
        C10EA | Type 1 diabetes mellitus without complication
      C10F. | Type 2 diabetes mellitus
        C10F0 | Type 2 diabetes mellitus with renal complications
        C10F1 | Type 2 diabetes mellitus with ophthalmic complications
        C10F2 | Type 2 diabetes mellitus with neurological complications
        C10F7 | Type 2 diabetes mellitus - poor control
        C10F9 | Type 2 diabetes mellitus without complication
        C10FJ | Insulin treated Type 2 diabetes mellitus
"""

# ---------------------------------------------------------------------------
# Verhoeff check digit.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
# The permutation table: row i applies the permutation row 1 i times, which
# avoids copying the whole table by hand.
_P = [list(range(10)), [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
while len(_P) < 8:
    _P.append([_P[1][x] for x in _P[-1]])
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_digit(digits: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def verhoeff_ok(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def sctid_problem(sctid: str, partitions: tuple[str, ...]) -> str | None:
    if not re.fullmatch(r"[1-9][0-9]{5,17}", sctid):
        return "not 6-18 digits without a leading zero"
    if not verhoeff_ok(sctid):
        return "bad Verhoeff check digit"
    if sctid[-3:-1] not in partitions:
        return f"partition {sctid[-3:-1]}, expected {' or '.join(partitions)}"
    return None


def make_sctid(item: int, partition: str) -> str:
    body = f"{item}{partition}"
    return body + verhoeff_digit(body)


# ---------------------------------------------------------------------------
class Problems:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)


def parse_snomed(problems: Problems) -> dict[str, dict]:
    concepts: dict[str, dict] = {}
    for n, raw in enumerate(SNOMED_CONCEPTS.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        higher = bool(re.search(r"#\s*H\b", line))
        line = line.split("#", 1)[0].strip()
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != 3:
            problems.error(f"source line {n}: expected `id | FSN | parents`: {raw!r}")
            continue
        code, fsn, parents = fields
        if code in concepts:
            problems.error(f"source line {n}: {code} listed twice")
            continue
        concepts[code] = {
            "fsn": fsn,
            "parents": [] if parents == "-" else parents.split(),
            "higher": higher,
        }
    return concepts


def preferred_term(fsn: str) -> str:
    return re.sub(r"\s*\([^()]*\)$", "", fsn)


def case_significance(term: str) -> str:
    if term.startswith(CASE_SENSITIVE_STARTS):
        return CASE_SENSITIVE
    if any(ch.isupper() for ch in term[1:]):
        return INITIAL_INSENSITIVE
    return CASE_INSENSITIVE


def check_snomed(concepts: dict[str, dict], gps: dict[str, str], problems: Problems) -> list[str]:
    """Returns the ids not checked against the GPS list."""
    unchecked = []
    for code, c in concepts.items():
        partitions = ("10",) if code in UK_CONCEPTS else ("00",)
        p = sctid_problem(code, partitions)
        if p:
            problems.error(f"concept {code}: {p}")
        if not re.search(r"\([^()]+\)$", c["fsn"]):
            problems.error(f"concept {code}: FSN {c['fsn']!r} has no semantic tag")
        if code in gps:
            if gps[code] != c["fsn"]:
                problems.error(f"concept {code}: FSN {c['fsn']!r} but the GPS list has {gps[code]!r}")
            if code in NOT_IN_GPS:
                problems.error(f"concept {code} is in the GPS list: remove it from NOT_IN_GPS")
        elif code in NOT_IN_GPS:
            unchecked.append(code)
        else:
            problems.error(f"concept {code} |{c['fsn']}| is not in the GPS list (and not in NOT_IN_GPS)")
        for parent in c["parents"]:
            if parent not in concepts:
                problems.error(f"concept {code}: parent {parent} is not in the fragment")
        if not c["parents"] and code != SCT_ROOT:
            problems.error(f"concept {code} has no parent")
    for code in NOT_IN_GPS:
        if code not in concepts:
            problems.error(f"NOT_IN_GPS lists {code}, which is not in the fragment")

    # Every concept reaches the root; no cycles.
    state: dict[str, int] = {}

    def visit(code: str, path: list[str]) -> bool:
        if state.get(code) == 2:
            return True
        if state.get(code) == 1:
            problems.error("IS-A cycle: " + " -> ".join(path + [code]))
            return False
        state[code] = 1
        ok = code == SCT_ROOT
        for parent in concepts[code]["parents"]:
            if parent in concepts and visit(parent, path + [code]):
                ok = True
        state[code] = 2
        if not ok:
            problems.error(f"concept {code} does not reach the root {SCT_ROOT}")
        return ok

    for code in concepts:
        visit(code, [])

    for refset, members in REFSET_MEMBERS.items():
        if refset not in concepts:
            problems.error(f"reference set {refset} is not a concept of the fragment")
        for member in members.split():
            if member not in concepts:
                problems.error(f"member {member} of reference set {refset} is not in the fragment")
    return unchecked


# ---------------------------------------------------------------------------
# RF2 output.
def rf2(header: str, rows: list[list[str]]) -> str:
    lines = [header] + ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def build_rf2(concepts: dict[str, dict]) -> dict[str, str]:
    order = sorted(concepts, key=int)

    def module(code: str) -> str:
        return UK_MODULE if code in UK_CONCEPTS else CORE_MODULE

    concept_rows, description_rows, relationship_rows, language_rows = [], [], [], []
    d_item, r_item = DESCRIPTION_ITEM_BASE, RELATIONSHIP_ITEM_BASE
    for code in order:
        c = concepts[code]
        mod = module(code)
        concept_rows.append([code, EFFECTIVE_TIME, "1", mod, PRIMITIVE])
        pt = preferred_term(c["fsn"])
        for type_id, term in ((FSN_TYPE, c["fsn"]), (SYNONYM_TYPE, pt)):
            d_item += 1
            did = make_sctid(d_item, "01")
            description_rows.append([did, EFFECTIVE_TIME, "1", mod, code, "en", type_id, term,
                                     case_significance(term)])
            if type_id == SYNONYM_TYPE:
                mid = str(uuid.uuid5(MEMBER_NAMESPACE, f"language:{GB_ENGLISH}:{did}"))
                language_rows.append([mid, EFFECTIVE_TIME, "1", mod, GB_ENGLISH, did, PREFERRED])
        for parent in sorted(c["parents"], key=int):
            r_item += 1
            relationship_rows.append([make_sctid(r_item, "02"), EFFECTIVE_TIME, "1", mod, code, parent,
                                      "0", ISA_TYPE, INFERRED, EXISTENTIAL])
    refset_rows = []
    for refset in sorted(REFSET_MEMBERS, key=int):
        for member in sorted(REFSET_MEMBERS[refset].split(), key=int):
            mid = str(uuid.uuid5(MEMBER_NAMESPACE, f"simple:{refset}:{member}"))
            refset_rows.append([mid, EFFECTIVE_TIME, "1", UK_MODULE, refset, member])

    return {
        "sct2_Concept_Snapshot_INT_demo.txt":
            rf2("id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId", concept_rows),
        "sct2_Description_Snapshot-en_INT_demo.txt":
            rf2("id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
                "caseSignificanceId", description_rows),
        "sct2_Relationship_Snapshot_INT_demo.txt":
            rf2("id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\t"
                "typeId\tcharacteristicTypeId\tmodifierId", relationship_rows),
        "Refset/Content/der2_Refset_SimpleSnapshot_GB_demo.txt":
            rf2("id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId", refset_rows),
        "Refset/Language/der2_cRefset_LanguageSnapshot-en_INT_demo.txt":
            rf2("id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId",
                language_rows),
    }


# ---------------------------------------------------------------------------
# FHIR CodeSystems.
def parse_outline(text: str) -> list[dict]:
    """An indented `code | display` outline to nested FHIR concepts."""
    roots: list[dict] = []
    stack: list[tuple[int, dict]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        code, display = (f.strip() for f in raw.strip().split("|", 1))
        node = {"code": code, "display": display}
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            stack[-1][1].setdefault("concept", []).append(node)
        else:
            roots.append(node)
        stack.append((indent, node))
    return roots


def icd10_concepts() -> list[dict]:
    categories = []
    for code, title in ICD10_DIABETES_CATEGORIES:
        subs = [{"code": f"{code}.{d}", "display": f"{title} {words}"} for d, words in ICD10_DIABETES_SUBDIVISIONS]
        categories.append({"code": code, "display": title, "concept": subs})
    chapter_iv = {
        "code": "IV",
        "display": "Endocrine, nutritional and metabolic diseases",
        "concept": [{"code": "E10-E14", "display": "Diabetes mellitus", "concept": categories}],
    }
    return parse_outline(ICD10_CHAPTER_I) + [chapter_iv]


def count(concepts: list[dict]) -> int:
    return sum(1 + count(c.get("concept", [])) for c in concepts)


def codes_of(concepts: list[dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in concepts:
        out[c["code"]] = c.get("display", "")
        out.update(codes_of(c.get("concept", [])))
    return out


def code_system(**fields) -> str:
    resource = {"resourceType": "CodeSystem"}
    resource.update(fields)
    resource["count"] = count(fields["concept"])
    # `count` reads better before the concepts.
    concept = resource.pop("concept")
    resource["concept"] = concept
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def build_fhir() -> dict[str, str]:
    icd10 = code_system(
        id="icd-10-demo",
        url="http://hl7.org/fhir/sid/icd-10",
        version="2019",
        name="ICD10DemoFragment",
        title="ICD-10 (WHO): demonstration fragment for Caldicott",
        status="active",
        experimental=True,
        publisher="Caldicott project (codes and titles: World Health Organization)",
        description=("A few real WHO ICD-10 codes with their chapter, block and category parents, for the "
                     "default demonstration schema. Not a complete or licensed copy of ICD-10; generated by "
                     "scripts/demo-schema.py."),
        copyright=("ICD-10 codes and titles © World Health Organization. Reproduced in small part for "
                   "demonstration."),
        caseSensitive=True,
        hierarchyMeaning="is-a",
        content="fragment",
        concept=icd10_concepts(),
    )
    readv2 = code_system(
        id="readv2-demo",
        url="http://read.info/readv2",
        name="ReadV2DemoFragment",
        title="Read Codes version 2: demonstration fragment for Caldicott",
        status="active",
        experimental=True,
        publisher="Caldicott project (codes and terms: NHS, Crown copyright)",
        description=("A few real Read v2 codes (5-byte) with their parents, for the default demonstration "
                     "schema. Not a complete or licensed copy of Read v2; generated by "
                     "scripts/demo-schema.py."),
        copyright="Read Codes © Crown copyright. Reproduced in small part for demonstration.",
        caseSensitive=True,
        hierarchyMeaning="is-a",
        content="fragment",
        concept=parse_outline(READV2),
    )
    return {"icd10.json": icd10, "readv2.json": readv2}


def check_fhir(problems: Problems) -> None:
    # Read v2: 5 characters, and each code sits under the code with its last
    # non-dot character replaced by a dot.
    def walk(nodes: list[dict], parent: str | None) -> None:
        for node in nodes:
            code = node["code"]
            if not re.fullmatch(r"[A-Za-z0-9.]{5}", code):
                problems.error(f"readv2 {code}: not a 5-byte Read code")
            if parent is not None:
                stem = code.rstrip(".")
                expected = (stem[:-1] + ".").ljust(5, ".")
                if expected != parent:
                    problems.error(f"readv2 {code}: nested under {parent}, expected {expected}")
            walk(node.get("concept", []), code)

    walk(parse_outline(READV2), None)

    def walk_icd(nodes: list[dict], parent: str | None) -> None:
        for node in nodes:
            code = node["code"]
            if re.fullmatch(r"[A-Z][0-9]{2}", code):
                if not (parent and re.fullmatch(r"[A-Z][0-9]{2}-[A-Z][0-9]{2}", parent)
                        and parent[:3] <= code <= parent[4:]):
                    problems.error(f"icd10 {code}: not inside its block {parent}")
            elif re.fullmatch(r"[A-Z][0-9]{2}\.[0-9]", code):
                if parent != code[:3]:
                    problems.error(f"icd10 {code}: nested under {parent}")
            elif not (re.fullmatch(r"[IVX]+", code) or re.fullmatch(r"[A-Z][0-9]{2}-[A-Z][0-9]{2}", code)):
                problems.error(f"icd10 {code}: not a chapter, block, category or subcategory")
            walk_icd(node.get("concept", []), code)

    walk_icd(icd10_concepts(), None)


# ---------------------------------------------------------------------------
# Codes used in the agreement language files.
SYSTEM_NAMES = ("snomed", "dmd", "readv2", "ctv3", "icd10", "loinc", "actcode")


def strip_comments_and_strings(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            out.append('""')
        elif text[i] == "|":  # a |term| may hold anything but a bar
            j = text.find("|", i + 1)
            j = n - 1 if j < 0 else j
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def used_codes(problems: Problems) -> list[dict]:
    """Every code after a system name: {file, line, system, code, term, refset}."""
    found = []
    for folder, pattern in DSA_GLOBS:
        for path in sorted((ROOT / folder).glob(pattern)):
            text = strip_comments_and_strings(path.read_text(encoding="utf-8"))
            rel = path.relative_to(ROOT)
            for m in re.finditer(r"\b(" + "|".join(SYSTEM_NAMES) + r")\b([^;]*);", text):
                system, body = m.group(1), m.group(2)
                base = m.start(2)
                for cm in re.finditer(r"(\^\s*)?([A-Za-z0-9_.\-]+)(\s*\|([^|]*)\|)?", body):
                    code = cm.group(2)
                    if code in ("OR", "AND", "MINUS"):
                        continue
                    line = text.count("\n", 0, base + cm.start(2)) + 1
                    found.append({"file": str(rel), "line": line, "system": system, "code": code,
                                  "term": cm.group(4), "refset": bool(cm.group(1))})
    if not found:
        problems.error("no codes found in stdlib/std/*.dsa and examples/*.dsa")
    return found


def check_used(uses: list[dict], concepts: dict[str, dict], icd10: dict[str, str],
               readv2: dict[str, str], actcode: set[str] | None, problems: Problems) -> dict[str, set]:
    seen: dict[str, set] = {}
    for u in uses:
        where = f"{u['file']}:{u['line']}"
        system, code = u["system"], u["code"]
        seen.setdefault(system, set()).add(code)
        if system == "snomed":
            if code not in concepts:
                problems.error(f"{where}: snomed {code} is not in the schema")
                continue
            pt = preferred_term(concepts[code]["fsn"])
            if u["term"] is not None and u["term"] != pt:
                problems.error(f"{where}: snomed {code} |{u['term']}| but the preferred term is |{pt}|")
            if u["refset"] and code not in REFSET_MEMBERS:
                problems.error(f"{where}: snomed ^ {code} is not a reference set with members")
        elif system == "icd10":
            if code not in icd10:
                problems.error(f"{where}: icd10 {code} is not in the schema")
        elif system == "readv2":
            if code not in readv2:
                problems.error(f"{where}: readv2 {code} is not in the schema")
        elif system == "actcode":
            if actcode is not None and code not in actcode:
                problems.error(f"{where}: actcode {code} is not in CodeSystem-v3-ActCode.json")
        else:
            problems.error(f"{where}: {system} {code}: the default schema has no {system} code system")
    return seen


def load_actcode(gps_path: Path) -> set[str] | None:
    path = gps_path.parent / "CodeSystem-v3-ActCode.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return set(codes_of(data.get("concept", [])))


# ---------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gps", type=Path, help="ValueSet-snomed-intl-gps.json from hl7.terminology.r4@7.0.1")
    ap.add_argument("--check", action="store_true", help="verify the files on disk instead of writing them")
    args = ap.parse_args()

    try:
        gps_json = json.loads(args.gps.read_text(encoding="utf-8"))
        include = gps_json["compose"]["include"][0]
        gps = {c["code"]: c["display"] for c in include["concept"]}
    except (OSError, ValueError, KeyError, IndexError) as e:
        print(f"demo-schema: cannot read the GPS list {args.gps}: {e}", file=sys.stderr)
        return 2
    print(f"GPS list: {len(gps)} concepts ({include.get('version', 'no version')})")

    problems = Problems()
    concepts = parse_snomed(problems)
    unchecked = check_snomed(concepts, gps, problems)
    check_fhir(problems)

    files = {f"snomed/{name}": text for name, text in build_rf2(concepts).items()}
    files.update(build_fhir())

    # Generated ids are valid SCTIDs of the right partition.
    for name, partition in (("snomed/sct2_Description_Snapshot-en_INT_demo.txt", "01"),
                            ("snomed/sct2_Relationship_Snapshot_INT_demo.txt", "02")):
        for row in files[name].splitlines()[1:]:
            p = sctid_problem(row.split("\t", 1)[0], (partition,))
            if p:
                problems.error(f"{name}: generated id {row.split(chr(9))[0]}: {p}")

    icd10 = codes_of(icd10_concepts())
    readv2 = codes_of(parse_outline(READV2))
    actcode = load_actcode(args.gps)
    uses = used_codes(problems)
    seen = check_used(uses, concepts, icd10, readv2, actcode, problems)

    # Write, or compare.
    changed = []
    for name, text in files.items():
        path = SCHEMA_DIR / name
        old = path.read_bytes().decode("utf-8") if path.exists() else None
        if old != text:
            changed.append(name)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
    if args.check:
        for name in changed:
            problems.error(f"stdlib/schema/{name} is not what this script generates (run it without --check)")

    # Report.
    n_higher = sum(1 for c in concepts.values() if c["higher"])
    n_isa = sum(len(c["parents"]) for c in concepts.values())
    n_members = sum(len(m.split()) for m in REFSET_MEMBERS.values())
    print(f"SNOMED CT: {len(concepts)} concepts, {2 * len(concepts)} descriptions, {n_isa} IS-A relationships "
          f"({n_higher} concepts linked to a higher ancestor), {len(REFSET_MEMBERS)} simple reference sets "
          f"with {n_members} members, {len(concepts)} language refset rows")
    print(f"  checked against the GPS list: {len(concepts) - len(unchecked)} ids and FSNs")
    print(f"  not in the GPS list, not checked: {len(unchecked)}")
    for code in sorted(unchecked, key=int):
        print(f"    {code} |{concepts[code]['fsn']}|: {NOT_IN_GPS[code]}")
    print(f"ICD-10: {len(icd10)} codes; Read v2: {len(readv2)} codes")
    print(f"Codes used in stdlib/std/*.dsa and examples/*.dsa: {len(uses)} uses; distinct: "
          + ", ".join(f"{s} {len(c)}" for s, c in sorted(seen.items())))
    if actcode is None:
        print("  actcode: not checked (no CodeSystem-v3-ActCode.json beside the GPS list)")
    else:
        print(f"  actcode: checked against CodeSystem-v3-ActCode.json ({len(actcode)} codes)")
    if args.check:
        print(f"Files: {len(files)} compared, {len(changed)} differ")
    else:
        print(f"Files: {len(files)} generated, {len(changed)} written (the rest were unchanged)")
    for e in problems.errors:
        print(f"error: {e}", file=sys.stderr)
    if problems.errors:
        print(f"{len(problems.errors)} error(s)", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
