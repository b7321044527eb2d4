#!/usr/bin/env python3
"""Writes a synthetic Apple Health export (an invented person).

  --small            corpora/apple-health/export.zip: three days with a watch and a phone counting the
                     same steps, heart rate, weight, sleep, a blood-pressure correlation, a workout with
                     statistics, activity summaries, and two clinical records (FHIR JSON in the zip).
                     A few KB; committed. Takes well under a second.
  --size-mb N        corpora/generated/export.xml of about N MB (git-ignored): years of per-minute-ish
                     samples from two devices. 1024 MB takes about a minute.
  --out PATH         where to write the large export instead.
Deterministic (fixed seed)."""
import argparse
import datetime
import io
import json
import os
import random
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpora")
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-03-10 09:00:00 -0600"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1967-03-14" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeAPositive" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>
"""
WATCH = 'sourceName="Alex’s Apple Watch" sourceVersion="10.3" device="&lt;&lt;HKDevice: 0x283a1c2d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.3&gt;"'
PHONE = 'sourceName="Alex’s iPhone" sourceVersion="17.3" device="&lt;&lt;HKDevice: 0x283a1c3e0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,2, software:17.3&gt;"'
SCALE = 'sourceName="Health Mate" sourceVersion="6.2.1"'


def stamp(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S -0600")


def record(kind, source, unit, start, end, value):
    unit_attr = ' unit="%s"' % unit if unit else ""
    return '<Record type="%s" %s%s creationDate="%s" startDate="%s" endDate="%s" value="%s"/>\n' % (
        kind, source, unit_attr, stamp(end), stamp(start), stamp(end), value)


def day_records(day, rng, detail):
    """The samples of one day, as export.xml lines. `detail` adds the rarer types."""
    out = []
    base = datetime.datetime.combine(day, datetime.time())
    # Steps: the watch every 10 minutes 07:00-22:00; the phone every 15 minutes over the same hours.
    for minute in range(7 * 60, 22 * 60, 10):
        start = base + datetime.timedelta(minutes=minute)
        out.append(record("HKQuantityTypeIdentifierStepCount", WATCH, "count", start,
                          start + datetime.timedelta(minutes=10), rng.randint(40, 160)))
    for minute in range(7 * 60, 22 * 60, 15):
        start = base + datetime.timedelta(minutes=minute)
        out.append(record("HKQuantityTypeIdentifierStepCount", PHONE, "count", start,
                          start + datetime.timedelta(minutes=15), rng.randint(50, 220)))
    # Heart rate from the watch every 5 minutes.
    for minute in range(0, 24 * 60, 5):
        moment = base + datetime.timedelta(minutes=minute)
        out.append(record("HKQuantityTypeIdentifierHeartRate", WATCH, "count/min", moment, moment,
                          rng.randint(55, 110)))
    # Active energy from the watch every 10 minutes; walking distance from the phone every 15.
    for minute in range(6 * 60, 23 * 60, 10):
        start = base + datetime.timedelta(minutes=minute)
        out.append(record("HKQuantityTypeIdentifierActiveEnergyBurned", WATCH, "kcal", start,
                          start + datetime.timedelta(minutes=10), round(rng.uniform(1, 18), 3)))
    for minute in range(7 * 60, 22 * 60, 15):
        start = base + datetime.timedelta(minutes=minute)
        out.append(record("HKQuantityTypeIdentifierDistanceWalkingRunning", PHONE, "km", start,
                          start + datetime.timedelta(minutes=15), round(rng.uniform(0.02, 0.16), 4)))
    if detail:
        morning = base + datetime.timedelta(hours=6, minutes=45)
        out.append(record("HKQuantityTypeIdentifierBodyMass", SCALE, "kg", morning, morning,
                          round(rng.uniform(71, 73), 1)))
        sleep_start = base - datetime.timedelta(hours=1, minutes=30)
        out.append('<Record type="HKCategoryTypeIdentifierSleepAnalysis" %s creationDate="%s" startDate="%s" endDate="%s" value="HKCategoryValueSleepAnalysisAsleepCore"/>\n'
                   % (WATCH, stamp(base + datetime.timedelta(hours=6)), stamp(sleep_start),
                      stamp(base + datetime.timedelta(hours=6))))
    return out


def workout(day, rng):
    start = datetime.datetime.combine(day, datetime.time(17, 30))
    end = start + datetime.timedelta(minutes=32)
    return ('<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="32" durationUnit="min" %s creationDate="%s" startDate="%s" endDate="%s">\n'
            ' <MetadataEntry key="HKIndoorWorkout" value="0"/>\n'
            ' <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="%s" endDate="%s" average="%d" minimum="%d" maximum="%d" unit="count/min"/>\n'
            ' <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="%s" endDate="%s" sum="%.2f" unit="km"/>\n'
            ' <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="%s" endDate="%s" sum="%.1f" unit="kcal"/>\n'
            '</Workout>\n') % (WATCH, stamp(end), stamp(start), stamp(end), stamp(start), stamp(end),
                               rng.randint(138, 150), rng.randint(95, 110), rng.randint(160, 172),
                               stamp(start), stamp(end), rng.uniform(4.8, 5.6), stamp(start), stamp(end),
                               rng.uniform(300, 380))


def activity_summary(day, rng):
    return ('<ActivitySummary dateComponents="%s" activeEnergyBurned="%.3f" activeEnergyBurnedGoal="500" activeEnergyBurnedUnit="kcal" appleMoveTime="0" appleMoveTimeGoal="0" appleExerciseTime="%d" appleExerciseTimeGoal="30" appleStandHours="%d" appleStandHoursGoal="12"/>\n'
            % (day.isoformat(), rng.uniform(350, 650), rng.randint(10, 70), rng.randint(8, 14)))


def blood_pressure(day, rng):
    moment = datetime.datetime.combine(day, datetime.time(7, 5))
    systolic, diastolic = rng.randint(128, 146), rng.randint(80, 92)
    inner = (record("HKQuantityTypeIdentifierBloodPressureSystolic", SCALE, "mmHg", moment, moment, systolic)
             + record("HKQuantityTypeIdentifierBloodPressureDiastolic", SCALE, "mmHg", moment, moment, diastolic))
    correlation = ('<Correlation type="HKCorrelationTypeIdentifierBloodPressure" %s creationDate="%s" startDate="%s" endDate="%s">\n%s</Correlation>\n'
                   % (SCALE, stamp(moment), stamp(moment), stamp(moment), inner))
    # The Health app writes the pressures both inside the correlation and as top-level records.
    return inner + correlation


def clinical_observation(id_, code, display, value, unit, low, high, when):
    return {
        "resourceType": "Observation", "id": id_, "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}], "text": display},
        "effectiveDateTime": when, "valueQuantity": {"value": value, "unit": unit},
        "referenceRange": [{"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}],
    }


def write_small():
    rng = random.Random(7)
    days = [datetime.date(2024, 3, 1) + datetime.timedelta(days=n) for n in range(3)]
    body = io.StringIO()
    body.write(HEADER)
    for day in days:
        body.writelines(day_records(day, rng, detail=True))
        body.write(blood_pressure(day, rng))
    body.write(workout(days[1], rng))
    for day in days:
        body.write(activity_summary(day, rng))
    clinical = {
        "clinical-records/Observation-A1C-2023.json": clinical_observation(
            "a1c-2023-11-20", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", 6.1, "%", 4.0, 5.6,
            "2023-11-20T08:00:00-06:00"),
        "clinical-records/Observation-TSH-2023.json": clinical_observation(
            "tsh-2023-11-20", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", 2.1, "mIU/L", 0.45, 4.5,
            "2023-11-20T08:00:00-06:00"),
    }
    for name, resource in clinical.items():
        body.write('<ClinicalRecord type="HKClinicalTypeIdentifierLabResultRecord" identifier="%s" sourceName="Riverside Health" sourceURL="https://fhir.example.org/r4" fhirVersion="4.0.1" receivedDate="2024-03-05 10:00:00 -0600" resourceFilePath="/%s"/>\n'
                   % (resource["id"], name))
    body.write("</HealthData>\n")
    target = os.path.join(ROOT, "apple-health", "export.zip")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fixed = (2024, 3, 10, 9, 0, 0)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("apple_health_export/export.xml", fixed), body.getvalue(),
                         zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("apple_health_export/export_cda.xml", fixed),
                         '<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n', zipfile.ZIP_DEFLATED)
        for name, resource in clinical.items():
            archive.writestr(zipfile.ZipInfo("apple_health_export/" + name, fixed), json.dumps(resource, indent=1),
                             zipfile.ZIP_DEFLATED)
    print("make-apple-health-export: wrote %s" % os.path.relpath(target))


def write_large(size_mb, out_path):
    rng = random.Random(11)
    limit = size_mb * 1024 * 1024
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    day = datetime.date(2012, 1, 1)
    written = 0
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        while written < limit:
            lines = day_records(day, rng, detail=True)
            if day.toordinal() % 3 == 0:
                lines.append(workout(day, rng))
            if day.toordinal() % 7 == 0:
                lines.append(blood_pressure(day, rng))
            lines.append(activity_summary(day, rng))
            chunk = "".join(lines)
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
            day += datetime.timedelta(days=1)
        out.write("</HealthData>\n")
    print("make-apple-health-export: wrote %s (%d MB, %s to %s)" % (out_path, written >> 20, "2012-01-01", day))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--size-mb", type=int)
    parser.add_argument("--out", default=os.path.join(ROOT, "generated", "export.xml"))
    arguments = parser.parse_args()
    if arguments.small:
        write_small()
    if arguments.size_mb:
        write_large(arguments.size_mb, arguments.out)
    if not arguments.small and not arguments.size_mb:
        parser.print_help()
