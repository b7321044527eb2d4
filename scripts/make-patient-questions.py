#!/usr/bin/env python3
"""Writes eval/patient-questions/ in BEIR layout from corpora/sample-patient/alex-rivera.json:
corpus.jsonl (one document per FHIR resource), queries.jsonl (questions a person would ask, with
`answerable`, `type` and `needs` fields) and qrels/test.tsv (the record ids that answer each
question; unanswerable questions have none). The relevant ids are computed from the records by
selectors, so they stay right when the sample patient is regenerated. Takes under a second."""
import hashlib
import json
import os

ROOT = os.path.join(os.path.dirname(__file__), "..")
bundle = json.load(open(os.path.join(ROOT, "corpora", "sample-patient", "alex-rivera.json")))
resources = [entry["resource"] for entry in bundle["entry"]]


def rid(resource):
    return f"{resource['resourceType']}/{resource['id']}"


def date_of(resource):
    for key in ("effectiveDateTime", "onsetDateTime", "authoredOn", "occurrenceDateTime", "recordedDate", "date"):
        if key in resource:
            return resource[key][:10]
    if "period" in resource:
        return resource["period"]["start"][:10]
    return resource.get("birthDate", "")


def code_of(resource):
    for key in ("code", "vaccineCode", "medicationCodeableConcept", "type"):
        concept = resource.get(key)
        if isinstance(concept, list):
            concept = concept[0] if concept else None
        if concept and concept.get("coding"):
            return concept["coding"][0]["code"]
    return ""


def title_of(resource):
    for key in ("code", "vaccineCode", "medicationCodeableConcept", "type"):
        concept = resource.get(key)
        if isinstance(concept, list):
            concept = concept[0] if concept else None
        if concept:
            return concept.get("text") or concept["coding"][0].get("display", "")
    if resource["resourceType"] == "Patient":
        return "Patient"
    return resource["resourceType"]


def text_of(resource):
    parts = [title_of(resource)]
    if "valueQuantity" in resource:
        parts.append(f"{resource['valueQuantity']['value']} {resource['valueQuantity'].get('unit', '')}")
    for component in resource.get("component", []):
        parts.append(f"{component['code']['text']} {component['valueQuantity']['value']} mmHg")
    for dosage in resource.get("dosageInstruction", []):
        parts.append(dosage.get("text", ""))
    for reaction in resource.get("reaction", []):
        parts.append("reaction " + ", ".join(m.get("text", "") for m in reaction["manifestation"]))
    for reason in resource.get("reasonCode", []):
        parts.append("reason " + reason.get("text", ""))
    status = resource.get("status") or resource.get("clinicalStatus", {}).get("coding", [{}])[0].get("code")
    if status:
        parts.append(f"status {status}")
    parts.append(f"date {date_of(resource)}")
    if resource["resourceType"] == "DocumentReference":
        import base64
        parts.append(base64.b64decode(resource["content"][0]["attachment"]["data"]).decode())
    return ". ".join(p for p in parts if p)


def of_code(code, year=None, month=None):
    found = [r for r in resources if code_of(r) == code]
    if year:
        found = [r for r in found if date_of(r).startswith(str(year))]
    if month:
        found = [r for r in found if date_of(r)[5:7] == f"{month:02d}"]
    return sorted(found, key=date_of)


def latest(code):
    return [of_code(code)[-1]]


def by_id(*ids):
    return [r for r in resources if r["id"] in ids]


def of_type(kind, year=None):
    found = [r for r in resources if r["resourceType"] == kind]
    if year:
        found = [r for r in found if date_of(r).startswith(str(year))]
    return sorted(found, key=date_of)


BP = "85354-9"
A1C, LDL, K, EGFR, CREAT, WEIGHT, HR, CHOL, HDL, TG, GLU = (
    "4548-4", "18262-6", "2823-3", "33914-3", "2160-0", "29463-7", "8867-4", "2093-3", "2085-9", "2571-8", "2345-7")

# (question, relevant resources, type, needs); needs "any": one relevant record answers it,
# "all": every relevant record is needed.
QUESTIONS = [
    ("What was my last A1c?", latest(A1C), "latest", "any"),
    ("What is my most recent hemoglobin A1c result?", latest(A1C), "latest", "any"),
    ("What was my latest LDL cholesterol?", latest(LDL), "latest", "any"),
    ("What was my potassium on my last blood test?", latest(K), "latest", "any"),
    ("What is my most recent eGFR kidney function?", latest(EGFR), "latest", "any"),
    ("What was my creatinine most recently?", latest(CREAT), "latest", "any"),
    ("What was my blood pressure at my last visit?", latest(BP), "latest", "any"),
    ("How much did I weigh at my last checkup?", latest(WEIGHT), "latest", "any"),
    ("What was my heart rate last time?", latest(HR), "latest", "any"),
    ("What was my total cholesterol most recently?", latest(CHOL), "latest", "any"),
    ("What was my HDL in the latest lipid panel?", latest(HDL), "latest", "any"),
    ("What were my triglycerides in my last lipid panel?", latest(TG), "latest", "any"),
    ("What was my glucose on my most recent labs?", latest(GLU), "latest", "any"),
    ("What was my A1c in 2021?", of_code(A1C, 2021), "period", "any"),
    ("What was my LDL in June 2022?", of_code(LDL, 2022, 6), "period", "any"),
    ("What was my blood pressure in 2019?", of_code(BP, 2019), "period", "any"),
    ("What did I weigh in 2020?", of_code(WEIGHT, 2020), "period", "any"),
    ("What was my potassium in 2023?", of_code(K, 2023), "period", "any"),
    ("Did my A1c go above 7 in 2022?", of_code(A1C, 2022), "period", "any"),
    ("What was my cholesterol before I started atorvastatin?", of_code(LDL)[:1] + of_code(CHOL)[:1], "period", "any"),
    ("How has my A1c changed over time?", of_code(A1C), "trend", "any"),
    ("How has my blood pressure changed since I started lisinopril?", of_code(BP), "trend", "any"),
    ("Is my LDL going down on atorvastatin?", of_code(LDL), "trend", "any"),
    ("Has my weight changed over the years?", of_code(WEIGHT), "trend", "any"),
    ("How has my kidney function changed?", of_code(EGFR), "trend", "any"),
    ("What is the trend of my glucose since 2021?", [r for r in of_code(GLU) if date_of(r) >= "2021"], "trend", "any"),
    ("What medications am I taking?", by_id("med-lisinopril", "med-metformin", "med-atorvastatin"), "medication", "all"),
    ("What is my dose of metformin?", by_id("med-metformin"), "medication", "any"),
    ("When did I start lisinopril?", by_id("med-lisinopril"), "medication", "any"),
    ("Why am I taking atorvastatin?", by_id("med-atorvastatin"), "medication", "any"),
    ("What antibiotic was I given for my sinus infection?", by_id("med-amoxicillin"), "medication", "any"),
    ("Am I on a statin?", by_id("med-atorvastatin"), "medication", "any"),
    ("Which blood pressure medicine do I take?", by_id("med-lisinopril"), "medication", "any"),
    ("How often should I take metformin according to my prescription?", by_id("med-metformin"), "medication", "any"),
    ("Am I allergic to penicillin?", by_id("allergy-penicillin"), "allergy", "any"),
    ("What allergies do I have?", by_id("allergy-penicillin"), "allergy", "any"),
    ("What reaction did I have to penicillin?", by_id("allergy-penicillin"), "allergy", "any"),
    ("Do I have any drug allergies?", by_id("allergy-penicillin"), "allergy", "any"),
    ("When did I last get a flu shot?", by_id("imm-flu-2025"), "immunization", "any"),
    ("Have I had the shingles vaccine?", by_id("imm-shingrix"), "immunization", "any"),
    ("When was my last tetanus shot?", by_id("imm-tdap"), "immunization", "any"),
    ("Did I get the COVID vaccine?", by_id("imm-covid-1", "imm-covid-2"), "immunization", "any"),
    ("How many COVID vaccine doses have I had?", by_id("imm-covid-1", "imm-covid-2"), "immunization", "all"),
    ("Did I get a flu vaccine in 2022?", by_id("imm-flu-2022"), "immunization", "any"),
    ("Do I have diabetes?", by_id("cond-t2d"), "condition", "any"),
    ("When was I diagnosed with high blood pressure?", by_id("cond-htn"), "condition", "any"),
    ("Do I have high cholesterol?", by_id("cond-hld"), "condition", "any"),
    ("What health problems do I have?", by_id("cond-htn", "cond-t2d", "cond-hld"), "condition", "all"),
    ("Did I ever have sinusitis?", by_id("cond-sinusitis"), "condition", "any"),
    ("Is my sinus infection resolved?", by_id("cond-sinusitis"), "condition", "any"),
    ("When was my last doctor's visit?", of_type("Encounter")[-1:], "visit", "any"),
    ("Why was I referred to cardiology?", by_id("note-cardiology-referral"), "note", "any"),
    ("What is the plan for my palpitations?", by_id("note-cardiology-referral"), "note", "any"),
    ("Did the referral letter mention chest pain?", by_id("note-cardiology-referral"), "note", "any"),
    ("How many checkups did I have in 2023?", of_type("Encounter", 2023), "visit", "all"),
    ("What was my last primary care visit about?", of_type("Encounter")[-1:], "visit", "any"),
    ("What did my colonoscopy show?", [], "unanswerable", "any"),
    ("What was my vitamin D level?", [], "unanswerable", "any"),
    ("Am I allergic to shellfish?", [], "unanswerable", "any"),
    ("What was my thyroid TSH result?", [], "unanswerable", "any"),
    ("When did I have my knee surgery?", [], "unanswerable", "any"),
    ("What did my MRI show?", [], "unanswerable", "any"),
    ("What is my blood type?", [], "unanswerable", "any"),
    ("Did I get the hepatitis B vaccine?", [], "unanswerable", "any"),
    ("What was my PSA level?", [], "unanswerable", "any"),
    ("What does my mammogram report say?", [], "unanswerable", "any"),
    ("How many steps did I walk yesterday?", [], "unanswerable", "any"),
    ("What is my insulin dose?", [], "unanswerable", "any"),
    ("When was my last dental cleaning?", [], "unanswerable", "any"),
    ("Did I test positive for COVID?", [], "unanswerable", "any"),
]

def split_of(query_id):
    """A fixed third of the questions, by a hash of the id, is the test part: read only to report."""
    return "test" if int(hashlib.sha256(query_id.encode()).hexdigest(), 16) % 3 == 0 else "dev"


out = os.path.join(ROOT, "eval", "patient-questions")
os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
with open(os.path.join(out, "corpus.jsonl"), "w") as handle:
    for resource in resources:
        handle.write(json.dumps({"_id": rid(resource), "title": title_of(resource), "text": text_of(resource)}) + "\n")
with open(os.path.join(out, "queries.jsonl"), "w") as queries, open(os.path.join(out, "qrels", "test.tsv"), "w") as qrels:
    qrels.write("query-id\tcorpus-id\tscore\n")
    for index, (text, relevant, kind, needs) in enumerate(QUESTIONS, start=1):
        query_id = f"q{index:03d}"
        assert kind == "unanswerable" or relevant, text
        queries.write(json.dumps({"_id": query_id, "text": text, "type": kind, "needs": needs,
                                  "answerable": bool(relevant), "split": split_of(query_id)}) + "\n")
        for resource in relevant:
            qrels.write(f"{query_id}\t{rid(resource)}\t1\n")
print(f"wrote {len(QUESTIONS)} questions ({sum(1 for q in QUESTIONS if q[1])} answerable) to {os.path.normpath(out)}")
