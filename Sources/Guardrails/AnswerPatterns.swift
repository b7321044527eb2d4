import Foundation

/// The expressions the answer checks use, compiled once.
struct AnswerPatterns: Sendable {
    let diagnosis: CompiledPattern
    let recordAttribution: CompiledPattern
    let conditionalPrefix: CompiledPattern
    let medicationChange: CompiledPattern
    let clinicianDeferral: CompiledPattern
    let dosing: [CompiledPattern]
    let dosingFromRecord: CompiledPattern
    let reassurance: CompiledPattern
    let emergencyMention: CompiledPattern
    let crisisMention: CompiledPattern
    let urgentMention: CompiledPattern
    let personal: CompiledPattern
    let number: CompiledPattern
    let citation: CompiledPattern
    let drugs: CompiledPattern?
    let negation: CompiledPattern

    init(drugNames: [String], contacts: EscalationContacts) {
        // Fixed expressions (drug names are escaped); they compile.
        func make(_ source: String) -> CompiledPattern {
            do { return try CompiledPattern(source, location: "AnswerPatterns") } catch { fatalError("\(error)") }
        }
        let escapedDrugs = drugNames.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        let conditions =
            #"(?:[\w-]+ ){0,3}?(?:[a-z]+itis|[a-z]+osis|[a-z]+emia|[a-z]+aemia|[a-z]+oma|infection|diabetes|cancer|disease|syndrome|disorder|pneumonia|flu|influenza|covid(?:-19)?|migraine|depression|anxiety disorder|hypertension|asthma|ulcer|hernia|fracture|stroke|heart attack|angina|reflux|gerd|ibs|anemia|anaemia|hypothyroidism|hyperthyroidism|concussion|sciatica|gout|shingles|strep throat|sepsis|appendicitis|kidney stones?|gallstones?|blood clot|dvt|a cold|a virus|strain|sprain|pulled muscle|panic attack|viral|diabète|infección|cáncer|maladie|grippe|dépression|neumonía|pneumonie|migraña|hipertensión|hypertension|anemia|anémie|asma|asthme)\b"#
        diagnosis = make(
            #"\b(?:you(?: have|'ve got| have got| are suffering from| suffer from| definitely have| clearly have| most likely have)|you're suffering from|this is (?:definitely |clearly |certainly |almost certainly )?(?:a |an )?|it(?:'s| is) (?:definitely |clearly |certainly |almost certainly )(?:a |an )?|tienes (?:un |una )?|usted tiene (?:un |una )?|vous avez (?:un |une |de l'|de la |du )?|tu as (?:un |une )?)"#
                + #"\s*"# + conditions
                + #"|\byou are (?:diabetic|anemic|anaemic|hypertensive|prediabetic|pre-diabetic|asthmatic)\b"#
        )
        recordAttribution = make(
            #"\[\d+\]|\b(?:your|the) (?:records?|chart|notes?|results?|problem list|file|history) (?:show|shows|list|lists|say|says|mention|mentions|note|notes|record|records)\b|\b(?:according to|based on|per) (?:your|the)\b|\bdiagnosed\b|\bsegún su|\bselon votre|\bvotre dossier\b|\bsu historial\b"#
        )
        conditionalPrefix = make(#"\b(?:if|whether|do|does|when|unless|si|in case)\s+$"#)
        let medicationObjects =
            #"(?:your |the |this |that |a |an |any |of )?(?:[\w-]+ ){0,2}?(?:medications?|medicines?|meds|pills?|tablets?|doses?|dosage|prescriptions?|insulin|inhaler|statins?|antibiotics?|antidepressants?|blood thinners?|drugs?|it|them|médicaments?|medicamentos?|medicación|medicina|pastillas?|comprimés?|traitement|tratamiento"#
            + (escapedDrugs.isEmpty ? "" : "|" + escapedDrugs) + #")\b"#
        medicationChange = make(
            #"\b(?:stop|stopping|quit|quitting|discontinue|discontinuing|halt|pause|skip|skipping|start|starting|begin|increase|increasing|decrease|decreasing|reduce|reducing|lower|lowering|raise|raising|double|doubling|halve|halving|taper|tapering|switch|switching|come off|get off|cut back on|cut down on|bump up|take an extra|take half|take two|take double|deja de tomar|dejar de tomar|suspende|suspenda|empieza a tomar|empiece a tomar|aumenta|aumente|reduce|reduzca|arrête[zs]?|arrêter|commence[zs]?|augmente[zs]?|diminue[zs]?|double[zs]?)\b (?:taking |using |de prendre |la |le |les |el |la |tu |su |votre |ton |ta )?"#
                + medicationObjects
        )
        clinicianDeferral = make(
            #"\b(?:ask|talk (?:to|with)|speak (?:to|with)|check with|consult|discuss(?: it| this| that)? with|call|contact|see|tell|let) (?:your |a |the )?(?:doctor|physician|prescriber|pharmacist|clinician|gp|nurse|care team|cardiologist|endocrinologist|psychiatrist|specialist)\b|\b(?:your|a|the) (?:doctor|physician|prescriber|pharmacist|clinician|care team|gp) (?:can|may|might|will|should|could) (?:decide|adjust|change|review|advise|tell|help|confirm|recommend)|\bwithout (?:talking|speaking|checking|consulting)\b|\b(?:hable|consulte|pregunte) (?:con |a )?(?:su |tu )?(?:médico|farmacéutico)|\b(?:parlez|demandez)(?:-en)? (?:à |a )?(?:votre |ton )?(?:médecin|pharmacien)"#
        )
        let units =
            #"(?:mg|mcg|µg|g|ml|mL|units?|iu|tablets?|pills?|capsules?|puffs?|drops?|comprimidos?|comprimés?|gélules?|cápsulas?|pastillas?)"#
        dosing = [
            make(
                #"\b(?:take|taking|give|use|try|apply|inject|chew|swallow|toma|tome|tomar|prenez|prends|prendre|donnez|administer)\b[^.!?\n]{0,40}?\b\d+(?:[.,]\d+)?\s?"#
                    + units + #"\b"#
            ),
            make(
                #"\b\d+(?:[.,]\d+)?\s?"# + units
                    + #"\b[^.!?\n]{0,30}?\b(?:every \d+|times a (?:day|week)|twice a day|twice daily|once a day|three times|daily|per day|a day|at bedtime|cada \d+|al día|par jour|fois par jour)"#
            ),
        ]
        dosingFromRecord = make(
            #"\[\d+\]|\b(?:your|the) (?:records?|chart|prescription|label|medication list|list) (?:show|shows|list|lists|say|says)\b|\bprescribed\b|\b(?:was|were|is) (?:listed|recorded|documented)\b|\bsu receta\b|\bvotre ordonnance\b"#
        )
        reassurance = make(
            #"\b(?:(?:it's|it is|this is|that's|that is|this sounds|it sounds|sounds) (?:probably |likely |most likely |almost certainly |surely |just |like )*(?:nothing|nothing serious|fine|normal|harmless|benign|not serious|not an emergency|minor|just (?:stress|anxiety|gas|indigestion|heartburn|a pulled muscle|muscle strain|a migraine|tiredness|a panic attack|a bad headache|a cramp))|nothing to worry about|no need to (?:worry|panic|go|see|call|rush|seek)|don't worry|do not worry|(?:you|it|this) can (?:safely )?wait|wait (?:and see|until|a few days|a day or two|it out|to see)|sleep it off|rest (?:and|at home) (?:it|this) will pass|you(?:'ll| will) (?:probably |likely )?be (?:fine|okay|ok|alright)|you should be fine|ce n'est (?:rien|pas grave)|c'est rien|no es nada|no te preocupes|no se preocupe|puede esperar|rien de grave|ne vous inquiétez pas|ça peut attendre|pas d'inquiétude)"#
        )
        let emergencyNumbers = ([contacts.emergency, "911", "112", "999", "15"])
            .map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        emergencyMention = make(
            #"\b(?:"# + emergencyNumbers
                + #")\b|\bemergency (?:services|room|department|number)\b|\bambulance\b|\bER\b|\bA&E\b|\burgences\b|\burgencias\b|\bSAMU\b"#
        )
        let crisisNumbers = [contacts.crisis, "988", "3114", "024", "116 123"]
            .map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        crisisMention = make(
            #"\b(?:"# + crisisNumbers
                + #")\b|\bcrisis (?:line|lifeline|text line)\b|\bsuicide (?:and crisis |prevention )?(?:hotline|lifeline|line)\b|\bsamaritans\b|\blínea de (?:la vida|crisis)\b"#
        )
        urgentMention = make(
            #"\btoday\b|\bsame[- ]day\b|\burgent care\b|\bwithin (?:24 hours|a few hours|the day|hours)\b|\bright away\b|\bas soon as possible\b|\bpromptly\b|\b111\b|\bwalk-in\b|\bhoy mismo\b|\bhoy\b|\baujourd'hui\b|\bsans attendre\b|\burgences\b|\burgencias\b|\bemergency\b|\b911\b|\b112\b|\b999\b"#
        )
        personal = make(
            #"\[S?\d+\]|\byour (?:[a-zA-Z-]+ ){0,3}?(?:was|were|is|are|came back|of|showed|shows|lists?|reading|result|results|level|levels)\b|\byour (?:records?|chart|history|medication list|prescription)\b|\byou(?:'ve| have)? (?:been )?(?:taking|prescribed)\b|\b(?:tu|su|votre) (?:historial|dossier|resultado|résultat)"#
        )
        number = make(
            #"(?<![\[\d.,])\d+(?:[.,]\d+)?(?![\]\d])(?!\s?(?:minutes?|hours?|days?|weeks?|months?|years?|times|x\b|%?\s?of adults|minutos|horas|días|semanas|meses|años|heures|jours|semaines|mois|ans)\b)"#
        )
        citation = make(#"\[S?\d+\]"#)
        drugs = escapedDrugs.isEmpty ? nil : make(#"\b(?:"# + escapedDrugs + #")\b"#)
        negation = make(
            #"\b(?:no|not|never|don't|do not|doesn't|does not|shouldn't|should not|avoid|nunca|no|jamais|ne|n')\b|n't\b"#
        )
    }
}
