#!/usr/bin/env python3
"""Writes corpora/sample-patient/alex-rivera.json: a synthetic adult FHIR R4 Bundle (one person) with
lab panels over several years, vitals, conditions, medications, an allergy, immunizations, encounters
and a clinical note. Deterministic (fixed seed); takes under a second. The person is invented."""
import base64
import json
import os
import random

random.seed(20261123)
PATIENT = "alex-rivera"
entries = []


def add(resource):
    entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})


def ref():
    return {"reference": f"Patient/{PATIENT}"}


def loinc(code, display):
    return {"coding": [{"system": "http://loinc.org", "code": code, "display": display}], "text": display}


def category(code):
    return [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": code}]}]


def flag(value, low, high):
    if low is not None and value < low:
        return "L"
    if high is not None and value > high:
        return "H"
    return "N"


counter = [0]


def obs(code, display, value, unit, date, low=None, high=None, cat="laboratory"):
    counter[0] += 1
    resource = {
        "resourceType": "Observation",
        "id": f"obs-{counter[0]:04d}",
        "status": "final",
        "category": category(cat),
        "code": loinc(code, display),
        "subject": ref(),
        "effectiveDateTime": date,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org"},
    }
    if low is not None or high is not None:
        rr = {}
        if low is not None:
            rr["low"] = {"value": low, "unit": unit}
        if high is not None:
            rr["high"] = {"value": high, "unit": unit}
        resource["referenceRange"] = [rr]
        resource["interpretation"] = [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
            "code": flag(value, low, high)}]}]
    add(resource)


add({
    "resourceType": "Patient", "id": PATIENT,
    "name": [{"family": "Rivera", "given": ["Alex"]}],
    "gender": "female", "birthDate": "1967-03-14",
    "address": [{"city": "Springfield", "country": "US"}],
})


def condition(cid, code, display, onset, status="active", abatement=None):
    resource = {
        "resourceType": "Condition", "id": cid,
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "code": status}]},
        "verificationStatus": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}],
                 "text": display},
        "subject": ref(), "onsetDateTime": onset,
    }
    if abatement:
        resource["abatementDateTime"] = abatement
    add(resource)


condition("cond-htn", "59621000", "Essential hypertension", "2019-02-11")
condition("cond-t2d", "44054006", "Type 2 diabetes mellitus", "2020-06-03")
condition("cond-hld", "55822004", "Hyperlipidemia", "2020-06-03")
condition("cond-sinusitis", "75498004", "Acute bacterial sinusitis", "2022-01-10", "resolved", "2022-01-24")


def medication(mid, code, display, authored, dosage, status="active", reason=None):
    resource = {
        "resourceType": "MedicationRequest", "id": mid, "status": status, "intent": "order",
        "medicationCodeableConcept": {"coding": [{
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code, "display": display}],
            "text": display},
        "subject": ref(), "authoredOn": authored, "dosageInstruction": [{"text": dosage}],
    }
    if reason:
        resource["reasonReference"] = [{"reference": f"Condition/{reason[0]}", "display": reason[1]}]
    add(resource)


medication("med-lisinopril", "314076", "lisinopril 10 MG Oral Tablet", "2019-02-11", "1 tablet by mouth once daily",
           reason=("cond-htn", "Essential hypertension"))
medication("med-metformin", "861007", "metformin hydrochloride 500 MG Oral Tablet", "2020-06-03",
           "1 tablet by mouth twice daily with meals", reason=("cond-t2d", "Type 2 diabetes mellitus"))
medication("med-atorvastatin", "617312", "atorvastatin 20 MG Oral Tablet", "2020-06-03",
           "1 tablet by mouth at bedtime", reason=("cond-hld", "Hyperlipidemia"))
medication("med-amoxicillin", "308182", "amoxicillin 500 MG Oral Capsule", "2022-01-10",
           "1 capsule by mouth three times daily for 10 days", status="completed")

add({
    "resourceType": "AllergyIntolerance", "id": "allergy-penicillin",
    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                   "code": "active"}]},
    "verificationStatus": {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "code": "confirmed"}]},
    "type": "allergy", "category": ["medication"], "criticality": "high",
    "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7980",
                         "display": "Penicillin G"}], "text": "Penicillin"},
    "patient": ref(), "recordedDate": "2005-08-19",
    "reaction": [{"manifestation": [{"coding": [{"system": "http://snomed.info/sct", "code": "126485001",
                                                 "display": "Hives"}], "text": "Hives"}],
                  "severity": "moderate"}],
})


def immunization(iid, cvx, display, date):
    add({"resourceType": "Immunization", "id": iid, "status": "completed",
         "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": cvx, "display": display}],
                         "text": display},
         "patient": ref(), "occurrenceDateTime": date})


for year in range(2019, 2026):
    immunization(f"imm-flu-{year}", "140", "Influenza, seasonal, injectable, preservative free", f"{year}-10-0{random.randint(1, 9)}")
immunization("imm-tdap", "115", "Tdap", "2018-05-22")
immunization("imm-covid-1", "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "2021-03-02")
immunization("imm-covid-2", "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "2021-03-23")
immunization("imm-shingrix", "187", "Zoster vaccine recombinant", "2023-04-18")

# Labs every four months from mid-2020: A1c improves on metformin, LDL falls on atorvastatin.
a1c = 8.4
ldl = 162.0
visit_dates = []
for year in range(2020, 2026):
    for month in (2, 6, 10):
        if (year, month) < (2020, 6):
            continue
        date = f"{year}-{month:02d}-{random.randint(10, 25):02d}"
        visit_dates.append(date)
        a1c = max(6.3, a1c - random.uniform(0.05, 0.35)) if year < 2024 else a1c + random.uniform(-0.1, 0.25)
        ldl = max(82.0, ldl - random.uniform(4, 14)) if year < 2023 else ldl + random.uniform(-6, 6)
        obs("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", round(a1c, 1), "%", date, high=5.6)
        obs("2345-7", "Glucose [Mass/volume] in Serum or Plasma", round(a1c * 24 + random.uniform(-12, 12)), "mg/dL",
            date, low=70, high=99)
        if month != 6:
            continue
        obs("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", round(ldl + 70 + random.uniform(-8, 8)), "mg/dL",
            date, high=200)
        obs("18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", round(ldl), "mg/dL",
            date, high=100)
        obs("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", round(random.uniform(44, 58)), "mg/dL",
            date, low=40)
        obs("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", round(random.uniform(120, 210)), "mg/dL",
            date, high=150)
        obs("2823-3", "Potassium [Moles/volume] in Serum or Plasma", round(random.uniform(3.9, 4.9), 1), "mmol/L",
            date, low=3.5, high=5.1)
        obs("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", round(random.uniform(0.8, 1.1), 2), "mg/dL",
            date, low=0.6, high=1.2)
        obs("33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood",
            round(random.uniform(68, 88)), "mL/min/1.73m2", date, low=60)

# Blood pressure: high before lisinopril (2019-02), lower after.
systolic = 152.0
for index, date in enumerate(["2018-11-05", "2019-01-14", "2019-02-11"] + visit_dates):
    if date > "2019-02-11":
        systolic = max(124.0, systolic - random.uniform(1, 6))
    diastolic = systolic * 0.62 + random.uniform(-3, 3)
    counter[0] += 1
    add({
        "resourceType": "Observation", "id": f"bp-{index:03d}", "status": "final", "category": category("vital-signs"),
        "code": loinc("85354-9", "Blood pressure panel with all children optional"),
        "subject": ref(), "effectiveDateTime": date,
        "component": [
            {"code": loinc("8480-6", "Systolic blood pressure"),
             "valueQuantity": {"value": round(systolic), "unit": "mmHg"}},
            {"code": loinc("8462-4", "Diastolic blood pressure"),
             "valueQuantity": {"value": round(diastolic), "unit": "mmHg"}},
        ],
    })
    obs("29463-7", "Body weight", round(88 - index * 0.35 + random.uniform(-0.8, 0.8), 1), "kg", date, cat="vital-signs")
    obs("8867-4", "Heart rate", round(random.uniform(64, 82)), "/min", date, cat="vital-signs")

for index, date in enumerate(visit_dates[::2]):
    add({
        "resourceType": "Encounter", "id": f"enc-{index:03d}", "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "type": [{"coding": [{"system": "http://snomed.info/sct", "code": "185349003",
                              "display": "Encounter for check up"}], "text": "Primary care follow-up"}],
        "subject": ref(), "period": {"start": f"{date}T09:00:00-05:00", "end": f"{date}T09:30:00-05:00"},
        "reasonCode": [{"text": "Diabetes and blood pressure follow-up"}],
        "serviceProvider": {"display": "Springfield Family Medicine"},
    })

note = """# Cardiology referral

Reason for referral: intermittent palpitations on exertion for three weeks; no chest pain, no syncope.

## History
Essential hypertension since 2019, controlled on lisinopril 10 mg daily. Type 2 diabetes on metformin.

## Plan
Ambulatory ECG monitor for 48 hours. Cardiology appointment booked. Continue current medications.
"""
add({
    "resourceType": "DocumentReference", "id": "note-cardiology-referral", "status": "current",
    "type": {"coding": [{"system": "http://loinc.org", "code": "57133-1", "display": "Referral note"}]},
    "subject": ref(), "date": "2025-09-16T10:15:00-05:00",
    "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                "data": base64.b64encode(note.encode()).decode()}}],
})

bundle = {"resourceType": "Bundle", "id": "alex-rivera-records", "type": "collection", "entry": entries}
out = os.path.join(os.path.dirname(__file__), "..", "corpora", "sample-patient", "alex-rivera.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as handle:
    json.dump(bundle, handle, indent=1)
    handle.write("\n")
print(f"wrote {os.path.normpath(out)}: {len(entries)} resources")
