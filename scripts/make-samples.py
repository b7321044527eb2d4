#!/usr/bin/env python3
"""Writes the project's synthetic ingestion samples into corpora/ (all people and values invented):
Peloton CSVs (imperial and metric), a MyFitnessPal nutrition summary, a CSV with its column mapping,
lab reports as text, Markdown and PDF (PDFs by a minimal PDF writer below, no dependencies), a letter
as PDF, a FHIR bundle with amended results, MedicationStatements and a PDF attachment, and a small
Apple Health export.zip (via make-apple-health-export.py). Deterministic; takes about a second."""
import base64
import csv
import json
import os
import random
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpora")
random.seed(20261123)


def path(*parts):
    full = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    return full


# --- Minimal PDF writer: one Courier font, WinAnsi text, one content stream per page. ---------------
def pdf_bytes(pages):
    """pages: list of lists of text lines. Returns the bytes of a valid PDF 1.4 file."""
    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages)  # placeholder id, fixed below
    kids = []
    page_objects = []
    for lines in pages:
        text = ["BT", "/F1 9.5 Tf", "11 TL", "40 800 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            text.append("(" + escaped + ") Tj T*")
        text.append("ET")
        stream = "\n".join(text).encode("cp1252")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_objects.append(content)
    pages_id = len(objects) + len(pages) + 1
    for content in page_objects:
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (pages_id, font, content)
            )
        )
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def lab_table(rows):
    lines = ["%-26s %-9s %-12s %-16s %s" % ("TEST", "RESULT", "UNITS", "REFERENCE RANGE", "FLAG")]
    for name, value, unit, low, high, flag in rows:
        lines.append("%-26s %-9s %-12s %-16s %s" % (name, value, unit, "%s\u2013%s" % (low, high), flag))
    return lines


BMP_2024 = [
    ("Sodium", "138", "mmol/L", "135", "145", ""),
    ("Potassium", "6.4", "mmol/L", "3.5", "5.1", "H"),
    ("Chloride", "101", "mmol/L", "98", "107", ""),
    ("Glucose", "112", "mg/dL", "70", "99", "H"),
    ("Creatinine", "1.42", "mg/dL", "0.57", "1.00", "H"),
    ("BUN", "24", "mg/dL", "6", "20", "H"),
    ("Calcium", "9.4", "mg/dL", "8.7", "10.2", ""),
]
LIPIDS_2023 = [
    ("Total Cholesterol", "212", "mg/dL", "100", "199", "H"),
    ("LDL Cholesterol", "138", "mg/dL", "0", "99", "H"),
    ("HDL Cholesterol", "52", "mg/dL", "39", "90", ""),
    ("Triglycerides", "148", "mg/dL", "0", "149", ""),
]
CBC_2025 = [
    ("WBC", "7.8", "x10^9/L", "3.4", "10.8", ""),
    ("Hemoglobin", "11.2", "g/dL", "11.1", "15.9", ""),
    ("Platelets", "412", "x10^9/L", "150", "450", ""),
    ("Ferritin", "9", "ng/mL", "15", "150", "L"),
]


def lab_report(title, collected, rows, comment):
    return (
        ["RIVERSIDE CLINICAL LABORATORY", "", "Patient: Alex Rivera        DOB: 03/14/1967",
         "Collected: %s     Reported: %s" % (collected, collected), "", title.upper(), ""]
        + lab_table(rows)
        + ["", "COMMENTS", comment, "", "Page 1 of 1"]
    )


def write_documents():
    bmp = lab_report("Basic metabolic panel", "2024-03-02", BMP_2024,
                     "Potassium repeated on the same specimen; no hemolysis seen.")
    with open(path("lab-reports", "bmp-2024-03-02.pdf"), "wb") as out:
        out.write(pdf_bytes([bmp]))
    cbc = lab_report("Complete blood count and iron", "2025-01-20", CBC_2025,
                     "Low ferritin suggests depleted iron stores.")
    with open(path("lab-reports", "cbc-2025-01-20.pdf"), "wb") as out:
        out.write(pdf_bytes([cbc]))
    lipids = lab_report("Lipid panel", "2023-06-11", LIPIDS_2023, "Fasting specimen (12 hours).")
    with open(path("lab-reports", "lipids-2023-06-11.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(lipids) + "\n")
    markdown = [
        "# Thyroid and vitamin D results", "", "Collected: 2022-11-05", "",
        "## Results", "", "TSH 5.9 mIU/L 0.45-4.5 H", "Vitamin D, 25-OH 18 ng/mL 30-100 L", "",
        "## Interpretation", "", "Mildly raised TSH with low vitamin D. Repeat TSH in 6 weeks.",
    ]
    with open(path("lab-reports", "thyroid-2022-11-05.md"), "w", encoding="utf-8") as out:
        out.write("\n".join(markdown) + "\n")
    letter = [
        "Springfield Heart Center", "Department of Cardiology", "", "Date: 2024-04-18", "",
        "Dear Dr. Okafor,", "", "Re: Alex Rivera, DOB 03/14/1967", "",
        "HISTORY", "Seen for palpitations over three months, worse after coffee. Hypertension",
        "treated with lisinopril 20 mg daily. Potassium was 6.4 mmol/L in March and has since",
        "been repeated at 4.9 mmol/L after stopping the potassium supplement.", "",
        "FINDINGS", "Blood pressure 142/88 mmHg. Heart rate 78/min, regular. 24-hour Holter:",
        "occasional ventricular ectopics, no sustained arrhythmia.", "",
        "PLAN", "Reduce caffeine. Continue lisinopril. Recheck renal function and potassium in",
        "three months. No further cardiology follow-up needed unless symptoms change.", "",
        "Yours sincerely,", "Dr. Maya Lindqvist, Cardiologist",
    ]
    with open(path("letters", "cardiology-letter-2024-04-18.pdf"), "wb") as out:
        out.write(pdf_bytes([letter]))


def write_peloton():
    header = ["Workout Timestamp", "Live/On-Demand", "Instructor Name", "Length (minutes)", "Fitness Discipline",
              "Type", "Title", "Class Timestamp", "Total Output", "Avg. Watts", "Avg. Resistance",
              "Avg. Cadence (RPM)", "Avg. Speed (mph)", "Distance (mi)", "Calories Burned", "Avg. Heartrate",
              "Avg. Incline", "Avg. Pace (min/mi)"]
    rows = []
    for index in range(24):
        day = 1 + index
        discipline = ["Cycling", "Running", "Strength", "Yoga"][index % 4]
        length = [30, 20, 10, 15][index % 4]
        start = "2024-02-%02d 06:%02d (EST)" % (day, random.randint(0, 40))
        if discipline == "Cycling":
            output = random.randint(250, 380)
            row = [start, "On Demand", "Coach %s" % "ABCD"[index % 4], length, discipline, "Climb",
                   "30 min Climb Ride", start, output, round(output * 1000 / (length * 60)), "%d%%" % random.randint(38, 48),
                   random.randint(78, 92), round(random.uniform(17, 20), 2), round(random.uniform(8.5, 10), 2),
                   random.randint(280, 420), random.randint(128, 150), "", ""]
        elif discipline == "Running":
            row = [start, "Live", "Coach B", length, discipline, "Intervals", "20 min HIIT Run", start, "", "", "", "",
                   round(random.uniform(5.8, 6.6), 2), round(random.uniform(1.9, 2.2), 2), random.randint(210, 260),
                   random.randint(140, 160), round(random.uniform(1, 3), 1), "%d:%02d" % (9, random.randint(0, 59))]
        else:
            row = [start, "On Demand", "Coach C", length, discipline, "Full Body", "%d min %s" % (length, discipline),
                   start, "", "", "", "", "", "", random.randint(40, 110), random.randint(95, 120), "", ""]
        rows.append(row)
    with open(path("peloton", "workouts.csv"), "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    metric_header = [h.replace("(mph)", "(kph)").replace("(mi)", "(km)").replace("min/mi", "min/km") for h in header]
    with open(path("peloton", "workouts-metric.csv"), "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(metric_header)
        for row in rows[:6]:
            converted = list(row)
            if converted[12] != "":
                converted[12] = round(float(converted[12]) * 1.609344, 2)
            if converted[13] != "":
                converted[13] = round(float(converted[13]) * 1.609344, 2)
            writer.writerow(converted)


def write_myfitnesspal():
    header = ["Date", "Meal", "Calories", "Fat (g)", "Saturated Fat", "Polyunsaturated Fat", "Monounsaturated Fat",
              "Trans Fat", "Cholesterol", "Sodium (mg)", "Potassium", "Carbohydrates (g)", "Fiber", "Sugar",
              "Protein (g)", "Vitamin A", "Vitamin C", "Calcium", "Iron", "Note"]
    with open(path("myfitnesspal", "nutrition-summary.csv"), "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for day in range(1, 15):
            for meal, base in [("Breakfast", 420), ("Lunch", 650), ("Dinner", 780), ("Snacks", 210)]:
                calories = base + random.randint(-80, 120)
                fat = round(calories * 0.33 / 9, 1)
                note = "Salty takeaway" if (day == 6 and meal == "Dinner") else ""
                sodium = random.randint(300, 900) + (1800 if note else 0)
                writer.writerow([
                    "2024-03-%02d" % day, meal, calories, fat, round(fat * 0.35, 1), round(fat * 0.2, 1),
                    round(fat * 0.35, 1), 0, random.randint(10, 120), sodium, random.randint(200, 900),
                    round(calories * 0.5 / 4, 1), round(random.uniform(2, 9), 1), round(random.uniform(3, 25), 1),
                    round(calories * 0.17 / 4, 1), random.randint(2, 30), random.randint(0, 60),
                    random.randint(2, 25), random.randint(4, 30), note,
                ])


def write_generic_csv():
    with open(path("home-measurements", "blood-pressure.csv"), "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Measured at", "Systolic", "Diastolic", "Pulse", "Comment"])
        for day in range(1, 29):
            systolic = random.randint(128, 152)
            writer.writerow(["03/%02d/2024 07:%02d" % (day, random.randint(0, 30)), systolic,
                             systolic - random.randint(45, 60), random.randint(62, 84),
                             "after coffee" if day % 7 == 0 else ""])
    mapping = {
        "kind": "observation", "category": "vital-signs", "title": "Home blood pressure",
        "date": {"column": "Measured at", "format": "MM/dd/yyyy HH:mm", "timeZone": "America/Chicago"},
        "values": [
            {"column": "Systolic", "title": "Systolic blood pressure", "unit": "mm[Hg]",
             "code": {"system": "http://loinc.org", "code": "8480-6"}},
            {"column": "Diastolic", "title": "Diastolic blood pressure", "unit": "mm[Hg]",
             "code": {"system": "http://loinc.org", "code": "8462-4"}},
            {"column": "Pulse", "title": "Heart rate", "unit": "/min",
             "code": {"system": "http://loinc.org", "code": "8867-4"}},
        ],
        "text": "Comment",
    }
    with open(path("home-measurements", "blood-pressure.mapping.json"), "w", encoding="utf-8") as out:
        json.dump(mapping, out, indent=1)
        out.write("\n")


def write_fhir_revisions():
    """A bundle with a corrected potassium result, a report referencing its results by fullUrl,
    MedicationStatements, a Condition referenced as a reason, and a DocumentReference with a PDF."""
    patient = "Patient/alex-rivera"

    def quantity(value, unit):
        return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}

    def potassium(id_, status, value, issued, flag):
        return {
            "resourceType": "Observation", "id": id_, "status": status,
            "identifier": [{"system": "urn:example:riverside-lab", "value": "K-2024-03-02-0001"}],
            "meta": {"lastUpdated": issued},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3",
                                 "display": "Potassium [Moles/volume] in Serum or Plasma"}], "text": "Potassium"},
            "subject": {"reference": patient}, "effectiveDateTime": "2024-03-02T08:10:00-06:00", "issued": issued,
            "valueQuantity": quantity(value, "mmol/L"),
            "referenceRange": [{"low": quantity(3.5, "mmol/L"), "high": quantity(5.1, "mmol/L")}],
            "interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                            "code": flag}]}],
        }

    sodium = {
        "resourceType": "Observation", "id": "na-2024-03-02", "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2",
                             "display": "Sodium [Moles/volume] in Serum or Plasma"}], "text": "Sodium"},
        "subject": {"reference": patient}, "effectiveDateTime": "2024-03-02T08:10:00-06:00",
        "valueQuantity": quantity(138, "mmol/L"),
        "referenceRange": [{"low": quantity(135, "mmol/L"), "high": quantity(145, "mmol/L")}],
    }
    condition = {
        "resourceType": "Condition", "id": "ckd-3a",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "code": "active"}]},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "700378005",
                             "display": "Chronic kidney disease stage 3A"}], "text": "Chronic kidney disease stage 3A"},
        "subject": {"reference": patient}, "onsetDateTime": "2023-09-01",
    }
    report = {
        "resourceType": "DiagnosticReport", "id": "bmp-2024-03-02", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "51990-0", "display": "Basic metabolic panel"}],
                 "text": "Basic metabolic panel"},
        "subject": {"reference": patient}, "effectiveDateTime": "2024-03-02T08:10:00-06:00",
        "result": [{"reference": "urn:uuid:0b6c4c0e-k-corrected"}, {"reference": "urn:uuid:6d1e3b7a-na"}],
        "conclusion": "Potassium corrected after repeat analysis of the same specimen.",
    }
    statements = [
        {"resourceType": "MedicationStatement", "id": "ms-lisinopril", "status": "active",
         "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                   "code": "314077", "display": "lisinopril 20 MG Oral Tablet"}]},
         "subject": {"reference": patient}, "effectivePeriod": {"start": "2021-05-01"},
         "informationSource": {"display": "patient"},
         "reasonReference": [{"reference": "Condition/ckd-3a"}],
         "dosage": [{"text": "20 mg by mouth once daily"}]},
        {"resourceType": "MedicationStatement", "id": "ms-potassium", "status": "stopped",
         "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                   "code": "628958", "display": "potassium chloride 20 MEQ Extended Release Oral Tablet"}]},
         "subject": {"reference": patient}, "effectivePeriod": {"start": "2023-10-01", "end": "2024-03-04"},
         "statusReason": [{"text": "high potassium"}], "dosage": [{"text": "1 tablet daily"}]},
    ]
    pdf = pdf_bytes([["DISCHARGE INSTRUCTIONS", "", "Stop the potassium supplement.",
                      "Recheck potassium in one week."]])
    document = {
        "resourceType": "DocumentReference", "id": "instructions-2024-03-04", "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "8653-8", "display": "Hospital Discharge instructions"}]},
        "subject": {"reference": patient}, "date": "2024-03-04T10:00:00-06:00",
        "content": [{"attachment": {"contentType": "application/pdf", "data": base64.b64encode(pdf).decode()}}],
    }
    entries = [
        {"fullUrl": "urn:uuid:3f2a-k-original", "resource": potassium("k-2024-03-02", "final", 6.4,
                                                                      "2024-03-02T12:00:00-06:00", "H")},
        {"fullUrl": "urn:uuid:0b6c4c0e-k-corrected", "resource": potassium("k-2024-03-02-corrected", "corrected", 4.9,
                                                                          "2024-03-03T09:30:00-06:00", "N")},
        {"fullUrl": "urn:uuid:6d1e3b7a-na", "resource": sodium},
        {"fullUrl": "urn:uuid:ckd", "resource": condition},
        {"fullUrl": "urn:uuid:bmp", "resource": report},
    ] + [{"fullUrl": "urn:uuid:" + s["id"], "resource": s} for s in statements] + [
        {"fullUrl": "urn:uuid:doc", "resource": document}]
    bundle = {"resourceType": "Bundle", "id": "alex-rivera-revisions", "type": "collection", "entry": entries}
    with open(path("fhir", "alex-rivera-revisions.json"), "w", encoding="utf-8") as out:
        json.dump(bundle, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    write_documents()
    write_peloton()
    write_myfitnesspal()
    write_generic_csv()
    write_fhir_revisions()
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "make-apple-health-export.py"), "--small"], check=True)
    print("make-samples: wrote corpora/{lab-reports,letters,peloton,myfitnesspal,home-measurements,fhir,apple-health}")
