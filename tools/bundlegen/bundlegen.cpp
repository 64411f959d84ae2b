#include "tools/bundlegen/bundlegen.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <span>
#include <vector>

namespace caldicott::bundlegen {

namespace {

// ------------------------------------------------------------------ systems

constexpr std::string_view kBase = "https://gp.example.org/fhir/R4/";
constexpr std::string_view kSnomed = "http://snomed.info/sct";
constexpr std::string_view kIcd10 = "http://hl7.org/fhir/sid/icd-10";
constexpr std::string_view kReadV2 = "http://read.info/readv2";
constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr std::string_view kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
constexpr std::string_view kNhsNumber = "https://fhir.nhs.uk/Id/nhs-number";
constexpr std::string_view kSdsUser = "https://fhir.nhs.uk/Id/sds-user-id";
constexpr std::string_view kRecordId = "https://gp.example.org/Id/record-guid";

// ------------------------------------------------------------- the catalogue

// ActCode information sensitivity labels that entries of an area carry.
enum class Label : uint8_t { kNone, kPsy, kEth, kStd, kHiv, kSex, kGender, kSdv };

struct LabelCode {
  std::string_view code;
  std::string_view display;
};
constexpr LabelCode kLabelCodes[] = {
    {"", ""},
    {"PSY", "psychiatry disorder information sensitivity"},
    {"ETH", "substance abuse information sensitivity"},
    {"STD", "sexually transmitted disease information sensitivity"},
    {"HIV", "HIV/AIDS information sensitivity"},
    {"SEX", "sexuality and reproductive health information sensitivity"},
    {"GENDER", "gender and sexual orientation information sensitivity"},
    {"SDV", "sexual assault, abuse, or domestic violence information sensitivity"},
};

// A SNOMED CT concept as a record codes it, with the ICD-10 and Read v2
// codes recorded beside it where there are sensible ones, and the label a
// record of it may carry. The displays are the demonstration schema's
// preferred terms (its FSN without the semantic tag), or the SNOMED CT
// Global Patient Set's for the concepts marked GPS, which the demonstration
// schema does not hold (so they are in no group).
struct Concept {
  const char* code;
  const char* display;
  const char* icd10;  // or nullptr
  const char* read;   // or nullptr
  Label label;
  int weight;  // relative frequency in its table
};

struct Title {
  std::string_view code;
  std::string_view title;
};

constexpr Concept kConditions[] = {
    {"44054006", "Diabetes mellitus type 2", "E11.9", "C10F.", Label::kNone, 10},
    {"46635009", "Diabetes mellitus type 1", "E10.9", "C10E.", Label::kNone, 3},
    {"237599002", "Insulin treated type 2 diabetes mellitus", "E11.9", "C10FJ", Label::kNone, 2},
    {"81531005", "Diabetes mellitus type 2 in obese", "E11.9", "C10F.", Label::kNone, 1},
    {"11687002", "Gestational diabetes mellitus", "O24.4", nullptr, Label::kNone, 1},
    {"420868002", "Disorder due to type 1 diabetes mellitus", "E10.8", "C10E.", Label::kNone, 1},
    {"422014003", "Disorder due to type 2 diabetes mellitus", "E11.8", "C10F.", Label::kNone, 2},
    {"4855003", "Retinopathy due to diabetes mellitus", "E14.3", nullptr, Label::kNone, 1},
    {"59276001", "Proliferative retinopathy due to diabetes mellitus", "E14.3", nullptr,
     Label::kNone, 1},
    {"127013003", "Disorder of kidney due to diabetes mellitus", "E14.2", nullptr, Label::kNone, 1},
    {"230572002", "Neuropathy due to diabetes mellitus", "E14.4", nullptr, Label::kNone, 1},
    {"424736006", "Peripheral neuropathy due to diabetes mellitus", "E14.4", nullptr, Label::kNone,
     2},
    {"49455004", "Polyneuropathy due to diabetes mellitus", "E14.4", nullptr, Label::kNone, 1},
    {"371087003", "Ulcer of foot due to diabetes mellitus", "E14.5", nullptr, Label::kNone, 2},
    {"127014009", "Peripheral angiopathy due to diabetes mellitus", "E14.5", nullptr, Label::kNone,
     1},
    {"280137006", "Diabetic foot", nullptr, nullptr, Label::kNone, 1},
    {"400200009", "Ingrowing toenail", "L60.0", nullptr, Label::kNone, 3},
    {"201108001", "Ingrowing great toenail", "L60.0", nullptr, Label::kNone, 1},
    {"65358001", "Acquired hallux valgus", "M20.1", nullptr, Label::kNone, 2},
    {"122481008", "Hammer toe", "M20.4", nullptr, Label::kNone, 1},
    {"403059006", "Onychomycosis of toenails", "B35.1", nullptr, Label::kNone, 2},
    {"229811005", "Foot callus", "L84", nullptr, Label::kNone, 2},
    {"46014006", "Corn of toe", "L84", nullptr, Label::kNone, 1},
    {"63440008", "Verruca plantaris", "B07", nullptr, Label::kNone, 1},
    {"128276007", "Cellulitis of foot", "L03.1", nullptr, Label::kNone, 1},
    {"15574005", "Fracture of foot", "S92.9", nullptr, Label::kNone, 1},
    {"49388007", "Sprain of foot", "S93.6", nullptr, Label::kNone, 1},
    {"95345008", "Ulcer of foot", "L97", nullptr, Label::kNone, 1},
    {"26649005", "Chronic ulcer of lower extremity", "L97", nullptr, Label::kNone, 1},
    {"400047006", "Peripheral vascular disease", "I73.9", nullptr, Label::kNone, 2},
    {"399957001", "Peripheral arterial occlusive disease", "I73.9", nullptr, Label::kNone, 1},
    {"63491006", "Intermittent claudication", "I73.9", nullptr, Label::kNone, 1},
    {"233962007", "Critical lower limb ischemia", "I70.2", nullptr, Label::kNone, 1},
    {"42345000", "Polyneuropathy", "G62.9", nullptr, Label::kNone, 1},
    {"7916009", "Alcoholic polyneuropathy", "G62.1", nullptr, Label::kNone, 1},
    {"239873007", "Osteoarthritis of knee", "M17.9", nullptr, Label::kNone, 3},
    {"239872002", "Osteoarthritis of hip", "M16.9", nullptr, Label::kNone, 2},
    {"239878003", "Osteoarthritis of toe joint", "M19.9", nullptr, Label::kNone, 1},
    {"396275006", "Osteoarthritis", "M19.9", nullptr, Label::kNone, 2},
    {"69896004", "Rheumatoid arthritis", "M06.9", nullptr, Label::kNone, 2},
    {"239791005", "Seropositive rheumatoid arthritis", "M05.9", nullptr, Label::kNone, 1},
    {"24595009", "Primary gout", "M10.0", nullptr, Label::kNone, 1},
    {"190828008", "Gouty arthropathy", "M10.9", nullptr, Label::kNone, 1},
    {"9631008", "Ankylosing spondylitis", "M45", nullptr, Label::kNone, 1},
    {"33339001", "Psoriasis with arthropathy", "L40.5", nullptr, Label::kNone, 1},
    {"59621000", "Essential hypertension", "I10", nullptr, Label::kNone, 8},
    {"195967001", "Asthma", "J45.9", nullptr, Label::kNone, 5},
    {"389145006", "Allergic asthma", "J45.0", nullptr, Label::kNone, 1},
    {"13645005", "Chronic obstructive lung disease", "J44.9", nullptr, Label::kNone, 3},
    {"49436004", "Atrial fibrillation", "I48.9", nullptr, Label::kNone, 2},
    {"282825002", "Paroxysmal atrial fibrillation", "I48.0", nullptr, Label::kNone, 1},
    {"84114007", "Heart failure", "I50.9", nullptr, Label::kNone, 2},
    {"42343007", "Congestive heart failure", "I50.0", nullptr, Label::kNone, 1},
    {"230690007", "Cerebrovascular accident", "I64", nullptr, Label::kNone, 1},
    {"422504002", "Ischemic stroke", "I63.9", nullptr, Label::kNone, 1},
    {"84757009", "Epilepsy", "G40.9", nullptr, Label::kNone, 1},
    {"9014002", "Psoriasis", "L40.9", nullptr, Label::kNone, 2},
    {"56265001", "Heart disease", "I51.9", nullptr, Label::kNone, 1},
    {"87628006", "Bacterial infectious disease", "A49.9", nullptr, Label::kNone, 2},
    {"34014006", "Viral disease", "B34.9", nullptr, Label::kNone, 2},
    {"89765005", "Tobacco dependence syndrome", "F17.2", nullptr, Label::kNone, 2},
    {"56294008", "Nicotine dependence", "F17.2", nullptr, Label::kNone, 1},
    {"35489007", "Depressive disorder", "F32.9", nullptr, Label::kPsy, 4},
    {"310495003", "Mild depression", "F32.0", nullptr, Label::kPsy, 2},
    {"310496002", "Moderate depression", "F32.1", nullptr, Label::kPsy, 2},
    {"370143000", "Major depressive disorder", "F32.9", nullptr, Label::kPsy, 1},
    {"21897009", "Generalized anxiety disorder", "F41.1", nullptr, Label::kPsy, 3},
    {"58214004", "Schizophrenia", "F20.9", nullptr, Label::kPsy, 1},
    {"64905009", "Paranoid schizophrenia", "F20.0", nullptr, Label::kPsy, 1},
    {"13746004", "Bipolar disorder", "F31.9", nullptr, Label::kPsy, 1},
    {"20010003", "Borderline personality disorder", "F60.3", nullptr, Label::kPsy, 1},
    {"56882008", "Anorexia nervosa", "F50.0", nullptr, Label::kPsy, 1},
    {"58703003", "Postpartum depression", "F53.0", nullptr, Label::kPsy, 1},
    {"66590003", "Alcohol dependence", "F10.2", nullptr, Label::kEth, 2},
    {"15167005", "Alcohol abuse", "F10.1", nullptr, Label::kEth, 1},
    {"37344009", "Cannabis abuse", "F12.1", nullptr, Label::kEth, 1},
    {"75544000", "Opioid dependence", "F11.2", nullptr, Label::kEth, 1},
    {"31956009", "Cocaine dependence", "F14.2", nullptr, Label::kEth, 1},
    {"191813001", "Chronic alcoholism in remission", "F10.2", nullptr, Label::kEth, 1},
    {"76272004", "Syphilis", "A53", nullptr, Label::kStd, 1},
    {"15628003", "Gonorrhea", "A54", nullptr, Label::kStd, 1},
    {"240589008", "Chlamydia trachomatis infection", "A56", nullptr, Label::kStd, 1},
    {"179101003", "Urethritis caused by Chlamydia trachomatis", "A56.0", nullptr, Label::kStd, 1},
    {"33839006", "Genital herpes simplex", "A60.0", nullptr, Label::kStd, 1},
    {"266113007", "Genital warts", "A63", nullptr, Label::kStd, 1},
    {"35089004", "Urogenital infection caused by Trichomonas vaginalis", "A59", nullptr,
     Label::kStd, 1},
    {"86406008", "Human immunodeficiency virus infection", "B24", nullptr, Label::kHiv, 1},
    {"91947003", "Asymptomatic human immunodeficiency virus infection", "Z21", nullptr, Label::kHiv,
     1},
    {"87991007", "Gender identity disorder", "F64.9", nullptr, Label::kGender, 1},
    {"407374003", "Transsexual", "F64.0", nullptr, Label::kGender, 1},
    {"57797005", "Induced termination of pregnancy", "O04.9", nullptr, Label::kSex, 1},
    {"397940009", "Victim of child abuse", nullptr, nullptr, Label::kSdv, 1},
    {"386702006", "Victim of abuse", nullptr, nullptr, Label::kSdv, 1},
    {"161445009", "History of diabetes mellitus", nullptr, nullptr, Label::kNone, 1},
    {"161501007", "History of hypertension", nullptr, nullptr, Label::kNone, 1},
    {"161622006", "History of lower limb amputation", nullptr, nullptr, Label::kNone, 1},
    {"429280009", "History of amputation of foot", nullptr, nullptr, Label::kNone, 1},
    {"161451004", "History of gout", nullptr, nullptr, Label::kNone, 1},
    {"275881005", "History of sexually transmitted disease", nullptr, nullptr, Label::kStd, 1},
    {"161466001", "History of alcoholism", nullptr, nullptr, Label::kEth, 1},
    {"161469008", "History of depression", nullptr, nullptr, Label::kPsy, 1},
};

constexpr Concept kAllergyCodes[] = {
    {"91936005", "Allergy to penicillin", "Z88.0", nullptr, Label::kNone, 6},
    {"294505008", "Allergy to amoxicillin", "Z88.0", nullptr, Label::kNone, 2},
    {"293586001", "Allergy to aspirin", nullptr, nullptr, Label::kNone, 2},
    {"91935009", "Allergy to peanut", "Z91.0", nullptr, Label::kNone, 2},
    {"300916003", "Allergy to latex", "Z91.0", nullptr, Label::kNone, 1},
    {"414285001", "Allergy to food", "Z91.0", nullptr, Label::kNone, 1},
    {"416098002", "Allergy to drug", "Z88.9", nullptr, Label::kNone, 1},
    {"292954005", "Penicillin adverse reaction", nullptr, nullptr, Label::kNone, 1},
};

constexpr Concept kFindings[] = {
    {"47933007", "Foot pain", nullptr, nullptr, Label::kNone, 3},
    {"285365001", "Pain in toe", nullptr, nullptr, Label::kNone, 1},
    {"102576009", "Edema of foot", nullptr, nullptr, Label::kNone, 2},
    {"297142003", "Foot swelling", nullptr, nullptr, Label::kNone, 1},
    {"309537005", "Numbness of lower limb", nullptr, nullptr, Label::kNone, 2},
    {"429783005", "Paresthesia of lower extremity", nullptr, nullptr, Label::kNone, 1},
    {"714664001", "At risk of ulcer of foot due to diabetes mellitus", nullptr, nullptr,
     Label::kNone, 2},
    {"160779001", "Domiciliary chiropody", nullptr, nullptr, Label::kNone, 1},
    {"170745003", "Diabetic on diet only", nullptr, nullptr, Label::kNone, 1},
    {"170746002", "Diabetic on oral treatment", nullptr, nullptr, Label::kNone, 3},
    {"170747006", "Diabetic on insulin", nullptr, nullptr, Label::kNone, 1},
    {"22253000", "Pain", nullptr, nullptr, Label::kNone, 3},
    {"65124004", "Swelling", nullptr, nullptr, Label::kNone, 2},
    {"44077006", "Numbness", nullptr, nullptr, Label::kNone, 1},
    {"313307000", "Epileptic seizure", nullptr, nullptr, Label::kNone, 1},
    {"609328004", "Allergic disposition", nullptr, nullptr, Label::kNone, 1},
    {"77176002", "Smoker", nullptr, nullptr, Label::kNone, 3},                 // GPS
    {"8517006", "Ex-smoker", nullptr, nullptr, Label::kNone, 3},               // GPS
    {"266919005", "Never smoked tobacco", nullptr, nullptr, Label::kNone, 3},  // GPS
    {"48694002", "Anxiety", nullptr, nullptr, Label::kPsy, 2},
    {"6471006", "Suicidal thoughts", nullptr, nullptr, Label::kPsy, 1},
    {"225457007", "Feeling suicidal", nullptr, nullptr, Label::kPsy, 1},
    {"228371004", "Long-term drug misuser", nullptr, nullptr, Label::kEth, 1},
    {"228372006", "Poly-drug misuser", nullptr, nullptr, Label::kEth, 1},
    {"165816005", "Human immunodeficiency virus positive", nullptr, nullptr, Label::kHiv, 1},
    {"772004004", "Non-binary gender", nullptr, nullptr, Label::kGender, 1},
    {"102875003", "Surrogate pregnancy", nullptr, nullptr, Label::kSex, 1},
    {"407560009", "At risk of sexually transmitted infection", nullptr, nullptr, Label::kStd, 1},
    {"704659007", "Child at risk of abuse", nullptr, nullptr, Label::kSdv, 1},
    {"225915006", "At risk of abuse", nullptr, nullptr, Label::kSdv, 1},
    {"161051006", "At risk violence in the home", nullptr, nullptr, Label::kSdv, 1},
};

constexpr Concept kProcedureCodes[] = {
    {"394683006", "Diabetic foot risk assessment", nullptr, nullptr, Label::kNone, 4},
    {"134388005", "Monofilament foot sensation test", nullptr, nullptr, Label::kNone, 3},
    {"229826007", "Reduction of callus", nullptr, nullptr, Label::kNone, 3},
    {"127601009", "Hammer toe operation", nullptr, nullptr, Label::kNone, 1},
    {"27480002", "Excision of bunion", nullptr, nullptr, Label::kNone, 1},
    {"371186005", "Amputation of toe", nullptr, nullptr, Label::kNone, 1},
    {"397117006", "Amputation of lower limb", nullptr, nullptr, Label::kNone, 1},
    {"385956002", "Foot care education", nullptr, nullptr, Label::kNone, 2},
    {"713130008", "Assessment of diabetic foot ulcer", nullptr, nullptr, Label::kNone, 1},
    {"46973005", "Blood pressure taking", nullptr, nullptr, Label::kNone, 4},         // GPS
    {"182836005", "Review of medication", nullptr, nullptr, Label::kNone, 3},         // GPS
    {"225323000", "Smoking cessation education", nullptr, nullptr, Label::kNone, 2},  // GPS
    {"391281002", "Mental health assessment", nullptr, nullptr, Label::kPsy, 2},
    {"10197000", "Psychiatric interview and evaluation", nullptr, nullptr, Label::kPsy, 1},
    {"171022008", "Psychological counseling", nullptr, nullptr, Label::kPsy, 1},
    {"75516001", "Psychotherapy", nullptr, nullptr, Label::kPsy, 1},
    {"313071005", "Counseling for substance abuse", nullptr, nullptr, Label::kEth, 1},
    {"35637008", "Alcohol rehabilitation", nullptr, nullptr, Label::kEth, 1},
    {"78092008", "Drug rehabilitation", nullptr, nullptr, Label::kEth, 1},
    {"445563009", "Counseling for sexually transmitted disease", nullptr, nullptr, Label::kStd, 1},
    {"165813002", "Human immunodeficiency virus antibody test", nullptr, nullptr, Label::kHiv, 1},
    {"386639001", "Termination of pregnancy", nullptr, nullptr, Label::kSex, 1},
    {"52637005", "Test tube ovum fertilization", nullptr, nullptr, Label::kSex, 1},
    {"425866000", "In vitro fertilization using donor eggs", nullptr, nullptr, Label::kSex, 1},
    {"134187008", "Child protection procedure", nullptr, nullptr, Label::kSdv, 1},
    {"313070006", "Counseling for domestic abuse", nullptr, nullptr, Label::kSdv, 1},
};

constexpr Concept kVaccines[] = {
    {"1181000221105", "Vaccine product containing only Influenza virus antigen", nullptr, nullptr,
     Label::kNone, 6},  // GPS
    {"836398006", "Vaccine product containing Streptococcus pneumoniae antigen", nullptr, nullptr,
     Label::kNone, 2},  // GPS
    {"836495005", "Vaccine product containing Human alphaherpesvirus 3 antigen", nullptr, nullptr,
     Label::kNone, 1},  // GPS
    {"1101000221104", "Vaccine product containing Clostridium tetani toxoid antigen", nullptr,
     nullptr, Label::kNone, 2},  // GPS
    {"836374004", "Vaccine product containing Hepatitis B virus antigen", nullptr, nullptr,
     Label::kNone, 1},  // GPS
    {"836379009", "Vaccine product containing Human papillomavirus antigen", nullptr, nullptr,
     Label::kNone, 1},  // GPS
};

constexpr Concept kEncounterTypes[] = {
    {"11429006", "Consultation", nullptr, nullptr, Label::kNone, 8},               // GPS
    {"185317003", "Telephone encounter", nullptr, nullptr, Label::kNone, 6},       // GPS
    {"281036007", "Follow-up consultation", nullptr, nullptr, Label::kNone, 4},    // GPS
    {"185387006", "New patient consultation", nullptr, nullptr, Label::kNone, 1},  // GPS
    {"390906007", "Follow-up encounter", nullptr, nullptr, Label::kNone, 2},       // GPS
    {"170777000", "Diabetic annual review", nullptr, nullptr, Label::kNone, 2},
    {"394700004", "Asthma annual review", nullptr, nullptr, Label::kNone, 1},
    {"401191002", "Diabetic foot examination", nullptr, nullptr, Label::kNone, 2},
    {"699270006", "Cerebrovascular accident annual review", nullptr, nullptr, Label::kNone,
     1},  // GPS
    {"417322008", "Cardiovascular disease annual review", nullptr, nullptr, Label::kNone,
     1},  // GPS
    {"182790007", "Psychiatric monitoring", nullptr, nullptr, Label::kPsy, 1},
};

constexpr Concept kReferralCodes[] = {
    {"308451001", "Referral to podiatrist", nullptr, nullptr, Label::kNone, 3},
    {"3457005", "Patient referral", nullptr, nullptr, Label::kNone, 2},
    {"308447003", "Referral to physiotherapist", nullptr, nullptr, Label::kNone, 2},      // GPS
    {"183545006", "Referral to orthopedic service", nullptr, nullptr, Label::kNone, 1},   // GPS
    {"183518005", "Referral to dermatology service", nullptr, nullptr, Label::kNone, 1},  // GPS
    {"308471005", "Referral to cardiologist", nullptr, nullptr, Label::kNone, 1},         // GPS
    {"103699006", "Patient referral to dietitian", nullptr, nullptr, Label::kNone, 1},    // GPS
    {"308440001", "Referral to social worker", nullptr, nullptr, Label::kNone, 1},        // GPS
    {"183524004", "Referral to psychiatry service", nullptr, nullptr, Label::kPsy, 1},
    {"308459004", "Referral to psychologist", nullptr, nullptr, Label::kPsy, 1},
    {"183862006", "Referral to fertility clinic", nullptr, nullptr, Label::kSex, 1},  // GPS
};

constexpr Concept kFamilyConditions[] = {
    {"44054006", "Diabetes mellitus type 2", "E11.9", "C10F.", Label::kNone, 3},
    {"230690007", "Cerebrovascular accident", "I64", nullptr, Label::kNone, 2},
    {"56265001", "Heart disease", "I51.9", nullptr, Label::kNone, 3},
    {"59621000", "Essential hypertension", "I10", nullptr, Label::kNone, 3},
    {"35489007", "Depressive disorder", "F32.9", nullptr, Label::kNone, 1},
    {"84757009", "Epilepsy", "G40.9", nullptr, Label::kNone, 1},
    {"195967001", "Asthma", "J45.9", nullptr, Label::kNone, 1},
    {"69896004", "Rheumatoid arthritis", "M06.9", nullptr, Label::kNone, 1},
};

constexpr Concept kCarePlanCodes[] = {
    {"385955003", "Foot care", nullptr, nullptr, Label::kNone, 3},
    {"713150007", "Diabetic foot ulcer prevention", nullptr, nullptr, Label::kNone, 2},
    {"170742000", "Diabetic monitoring", nullptr, nullptr, Label::kNone, 2},
    {"710081004", "Smoking cessation therapy", nullptr, nullptr, Label::kNone, 1},  // GPS
    {"135840009", "Blood pressure monitoring", nullptr, nullptr, Label::kNone, 2},  // GPS
    {"182790007", "Psychiatric monitoring", nullptr, nullptr, Label::kPsy, 1},
    {"24172008", "Crisis intervention", nullptr, nullptr, Label::kPsy, 1},
    {"134187008", "Child protection procedure", nullptr, nullptr, Label::kSdv, 1},
};

constexpr Concept kFlags[] = {
    {"225444004", "At risk for suicide", nullptr, nullptr, Label::kPsy, 1},
    {"401206008", "At risk for deliberate self harm", nullptr, nullptr, Label::kPsy, 1},
    {"707087005", "At risk of domestic violence", nullptr, nullptr, Label::kSdv, 1},
    {"704659007", "Child at risk of abuse", nullptr, nullptr, Label::kSdv, 1},
    {"91936005", "Allergy to penicillin", "Z88.0", nullptr, Label::kNone, 2},
    {"300916003", "Allergy to latex", nullptr, nullptr, Label::kNone, 1},
    {"161056001", "In care", nullptr, nullptr, Label::kNone, 1},
    {"714664001", "At risk of ulcer of foot due to diabetes mellitus", nullptr, nullptr,
     Label::kNone, 1},
};

// ICD-10 (WHO) titles of the codes above. Those marked * are not in the
// demonstration fragment (stdlib/schema/icd10.json): in no group.
constexpr Title kIcd10Titles[] = {
    {"A49.9", "Bacterial infection, unspecified"},  // *
    {"A53", "Other and unspecified syphilis"},
    {"A54", "Gonococcal infection"},
    {"A56", "Other sexually transmitted chlamydial diseases"},
    {"A56.0", "Chlamydial infection of lower genitourinary tract"},
    {"A59", "Trichomoniasis"},
    {"A60.0", "Herpesviral infection of genitalia and urogenital tract"},
    {"A63", "Other predominantly sexually transmitted diseases, not elsewhere classified"},
    {"B07", "Viral warts"},                                             // *
    {"B24", "Unspecified human immunodeficiency virus [HIV] disease"},  // *
    {"B34.9", "Viral infection, unspecified"},                          // *
    {"B35.1", "Tinea unguium"},                                         // *
    {"E10.8", "Type 1 diabetes mellitus with unspecified complications"},
    {"E10.9", "Type 1 diabetes mellitus without complications"},
    {"E11.8", "Type 2 diabetes mellitus with unspecified complications"},
    {"E11.9", "Type 2 diabetes mellitus without complications"},
    {"E14.2", "Unspecified diabetes mellitus with renal complications"},
    {"E14.3", "Unspecified diabetes mellitus with ophthalmic complications"},
    {"E14.4", "Unspecified diabetes mellitus with neurological complications"},
    {"E14.5", "Unspecified diabetes mellitus with peripheral circulatory complications"},
    {"F10.1", "Mental and behavioural disorders due to use of alcohol: harmful use"},          // *
    {"F10.2", "Mental and behavioural disorders due to use of alcohol: dependence syndrome"},  // *
    {"F11.2", "Mental and behavioural disorders due to use of opioids: dependence syndrome"},  // *
    {"F12.1", "Mental and behavioural disorders due to use of cannabinoids: harmful use"},     // *
    {"F14.2", "Mental and behavioural disorders due to use of cocaine: dependence syndrome"},  // *
    {"F17.2", "Mental and behavioural disorders due to use of tobacco: dependence syndrome"},  // *
    {"F20.0", "Paranoid schizophrenia"},                                                       // *
    {"F20.9", "Schizophrenia, unspecified"},                                                   // *
    {"F31.9", "Bipolar affective disorder, unspecified"},                                      // *
    {"F32.0", "Mild depressive episode"},                                                      // *
    {"F32.1", "Moderate depressive episode"},                                                  // *
    {"F32.9", "Depressive episode, unspecified"},                                              // *
    {"F41.1", "Generalized anxiety disorder"},                                                 // *
    {"F50.0", "Anorexia nervosa"},                                                             // *
    {"F53.0",
     "Mild mental and behavioural disorders associated with the puerperium, not elsewhere "
     "classified"},                                                                // *
    {"F60.3", "Emotionally unstable personality disorder"},                        // *
    {"F64.0", "Transsexualism"},                                                   // *
    {"F64.9", "Gender identity disorder, unspecified"},                            // *
    {"G40.9", "Epilepsy, unspecified"},                                            // *
    {"G62.1", "Alcoholic polyneuropathy"},                                         // *
    {"G62.9", "Polyneuropathy, unspecified"},                                      // *
    {"I10", "Essential (primary) hypertension"},                                   // *
    {"I48.0", "Paroxysmal atrial fibrillation"},                                   // *
    {"I48.9", "Atrial fibrillation and atrial flutter, unspecified"},              // *
    {"I50.0", "Congestive heart failure"},                                         // *
    {"I50.9", "Heart failure, unspecified"},                                       // *
    {"I51.9", "Heart disease, unspecified"},                                       // *
    {"I63.9", "Cerebral infarction, unspecified"},                                 // *
    {"I64", "Stroke, not specified as haemorrhage or infarction"},                 // *
    {"I70.2", "Atherosclerosis of arteries of extremities"},                       // *
    {"I73.9", "Peripheral vascular disease, unspecified"},                         // *
    {"J44.9", "Chronic obstructive pulmonary disease, unspecified"},               // *
    {"J45.0", "Predominantly allergic asthma"},                                    // *
    {"J45.9", "Asthma, unspecified"},                                              // *
    {"L03.1", "Cellulitis of other parts of limb"},                                // *
    {"L40.5", "Arthropathic psoriasis"},                                           // *
    {"L40.9", "Psoriasis, unspecified"},                                           // *
    {"L60.0", "Ingrowing nail"},                                                   // *
    {"L84", "Corns and callosities"},                                              // *
    {"L97", "Ulcer of lower limb, not elsewhere classified"},                      // *
    {"M05.9", "Seropositive rheumatoid arthritis, unspecified"},                   // *
    {"M06.9", "Rheumatoid arthritis, unspecified"},                                // *
    {"M10.0", "Idiopathic gout"},                                                  // *
    {"M10.9", "Gout, unspecified"},                                                // *
    {"M16.9", "Coxarthrosis, unspecified"},                                        // *
    {"M17.9", "Gonarthrosis, unspecified"},                                        // *
    {"M19.9", "Arthrosis, unspecified"},                                           // *
    {"M20.1", "Hallux valgus (acquired)"},                                         // *
    {"M20.4", "Other hammer toe(s) (acquired)"},                                   // *
    {"M45", "Ankylosing spondylitis"},                                             // *
    {"O04.9", "Medical abortion, complete or unspecified, without complication"},  // *
    {"O24.4", "Diabetes mellitus arising in pregnancy"},                           // *
    {"S92.9", "Fracture of foot, unspecified"},                                    // *
    {"S93.6", "Sprain and strain of other and unspecified parts of foot"},         // *
    {"Z21", "Asymptomatic human immunodeficiency virus [HIV] infection status"},   // *
    {"Z88.0", "Personal history of allergy to penicillin"},                        // *
    {"Z88.9",
     "Personal history of allergy to unspecified drugs, medicaments and biological "
     "substances"},                                                                           // *
    {"Z91.0", "Personal history of allergy, other than to drugs and biological substances"},  // *
};

// Read v2 terms of the codes above (stdlib/schema/readv2.json).
constexpr Title kReadTitles[] = {
    {"C10E.", "Type 1 diabetes mellitus"},
    {"C10F.", "Type 2 diabetes mellitus"},
    {"C10FJ", "Insulin treated Type 2 diabetes mellitus"},
};

template <size_t N>
constexpr std::string_view TitleOf(const Title (&titles)[N], std::string_view code) {
  for (const Title& t : titles) {
    if (t.code == code) return t.title;
  }
  return {};
}

// Medicines: a Medication resource each, referred to by MedicationRequests
// and MedicationStatements (or named by their medicationCodeableConcept).
struct Medicine {
  const char* code;
  const char* display;  // the product concept (demonstration schema)
  const char* text;     // what the prescription says
  const char* form;
  const char* dosage;
  int weight;
};
constexpr Medicine kMedicines[] = {
    {"109081006", "Product containing metformin", "Metformin 500mg tablets", "Tablet",
     "One tablet twice a day with meals", 6},
    {"48603004", "Product containing warfarin", "Warfarin 1mg tablets", "Tablet",
     "As directed by the anticoagulation clinic", 3},
    {"87233003", "Product containing low molecular weight heparin",
     "Enoxaparin sodium 40mg/0.4ml solution for injection pre-filled syringes",
     "Solution for injection", "40mg once daily by subcutaneous injection", 1},
    {"84812008", "Product containing heparin",
     "Heparin sodium 5,000units/ml solution for injection", "Solution for injection",
     "5,000 units every 12 hours by subcutaneous injection", 1},
    {"7947003", "Product containing aspirin", "Aspirin 75mg dispersible tablets",
     "Dispersible tablet", "One tablet once a day", 4},
    {"27658006", "Product containing amoxicillin", "Amoxicillin 500mg capsules", "Capsule",
     "One capsule three times a day for 7 days", 4},
    {"796001", "Product containing digoxin", "Digoxin 125microgram tablets", "Tablet",
     "One tablet once a day", 2},
};

// Measurements: Observations with a value, coded in SNOMED CT (GPS) and LOINC.
struct Measurement {
  const char* code;
  const char* display;
  const char* loinc;
  const char* loinc_display;
  const char* unit;
  int low, high;  // the value's range, in tenths
  bool decimal;   // recorded to one decimal place (else a whole number)
  int weight;
};
constexpr Measurement kMeasurements[] = {
    {"75367002", "Blood pressure", "85354-9", "Blood pressure panel with all children optional",
     "mm[Hg]", 0, 0, false, 8},
    {"60621009", "Body mass index", "39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 185, 420,
     true, 4},
    {"364075005", "Heart rate", "8867-4", "Heart rate", "/min", 520, 1100, false, 3},
    {"43396009", "Hemoglobin A1c measurement", nullptr, nullptr, "mmol/mol", 340, 980, false, 3},
};

// Sections of a document Bundle's Composition (LOINC codes of the
// International Patient Summary where it has one).
struct SectionInfo {
  const char* title;
  const char* loinc;
  const char* loinc_display;
};
enum Section : uint8_t {
  kProblems,
  kAllergies,
  kMedications,
  kResults,
  kProcedures,
  kImmunizations,
  kEncounters,
  kDocuments,
  kReferrals,
  kFamilyHistory,
  kCarePlans,
  kAlerts,
  kSectionCount
};
constexpr SectionInfo kSections[kSectionCount] = {
    {"Problems", "11450-4", "Problem list - Reported"},
    {"Allergies and adverse reactions", "48765-2", "Allergies and adverse reactions Document"},
    {"Medications", "10160-0", "History of Medication use Narrative"},
    {"Results", "30954-2", "Relevant diagnostic tests/laboratory data Narrative"},
    {"Procedures", "47519-4", "History of Procedures Document"},
    {"Immunisations", "11369-6", "History of Immunization Narrative"},
    {"Encounters", "46240-8", "History of Hospitalizations+Outpatient visits Narrative"},
    {"Documents", nullptr, nullptr},
    {"Referrals", nullptr, nullptr},
    {"Family history", "10157-6", "History of family member diseases Narrative"},
    {"Care plans", "18776-5", "Plan of care note"},
    {"Alerts", nullptr, nullptr},
};

// Resource types, in the order the Summary counts them.
enum Type : uint8_t {
  kPatient,
  kOrganization,
  kLocation,
  kPractitioner,
  kPractitionerRole,
  kMedication,
  kComposition,
  kEncounter,
  kCondition,
  kAllergyIntolerance,
  kMedicationRequest,
  kMedicationStatement,
  kObservation,
  kProcedure,
  kImmunization,
  kDocumentReference,
  kServiceRequest,
  kFamilyMemberHistory,
  kCarePlan,
  kFlag,
  kTypeCount
};
constexpr std::string_view kTypeNames[kTypeCount] = {
    "Patient",          "Organization",        "Location",          "Practitioner",
    "PractitionerRole", "Medication",          "Composition",       "Encounter",
    "Condition",        "AllergyIntolerance",  "MedicationRequest", "MedicationStatement",
    "Observation",      "Procedure",           "Immunization",      "DocumentReference",
    "ServiceRequest",   "FamilyMemberHistory", "CarePlan",          "Flag"};

// How often each clinical type is recorded at a consultation (the Encounter
// itself aside).
constexpr std::array<std::pair<Type, int>, 12> kClinicalWeights = {{
    {kCondition, 32},
    {kAllergyIntolerance, 3},
    {kMedicationRequest, 28},
    {kMedicationStatement, 14},
    {kObservation, 52},
    {kProcedure, 16},
    {kImmunization, 9},
    {kDocumentReference, 12},
    {kServiceRequest, 7},
    {kFamilyMemberHistory, 3},
    {kCarePlan, 2},
    {kFlag, 2},
}};

constexpr int kClinicalTotal = [] {
  int total = 0;
  for (auto [type, weight] : kClinicalWeights) total += weight;
  return total;
}();

Section SectionOf(Type t) {
  switch (t) {
    case kCondition:
      return kProblems;
    case kAllergyIntolerance:
      return kAllergies;
    case kMedicationRequest:
    case kMedicationStatement:
      return kMedications;
    case kObservation:
      return kResults;
    case kProcedure:
      return kProcedures;
    case kImmunization:
      return kImmunizations;
    case kEncounter:
      return kEncounters;
    case kDocumentReference:
      return kDocuments;
    case kServiceRequest:
      return kReferrals;
    case kFamilyMemberHistory:
      return kFamilyHistory;
    case kCarePlan:
      return kCarePlans;
    default:
      return kAlerts;
  }
}

// People and places.
constexpr const char* kFamilyNames[] = {
    "Smith",    "Jones",  "Taylor",   "Brown",  "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans",  "Walker",   "White",  "Roberts", "Green",
    "Hall",     "Wood",   "Jackson",  "Clarke", "Patel",    "Khan",   "Lewis",   "Hughes"};
constexpr const char* kGivenFemale[] = {"Margaret", "Susan",  "Patricia", "Elizabeth",
                                        "Anne",     "Sarah",  "Helen",    "Aisha",
                                        "Priya",    "Joanne", "Karen",    "Fiona"};
constexpr const char* kGivenMale[] = {"David",    "John",   "Michael", "Peter", "Robert", "Andrew",
                                      "Mohammed", "Rajesh", "Stephen", "Paul",  "Gareth", "Ian"};
constexpr const char* kStreets[] = {"Station Road", "Church Lane", "High Street", "Victoria Road",
                                    "Mill Lane",    "The Green",   "Park Avenue", "Queens Road"};

struct Org {
  const char* ods;
  const char* name;
  const char* type_code;  // organisation type (HL7 organization-type)
  const char* type_display;
};
constexpr Org kOrgs[] = {
    {"A81001", "Practice 1", "prov", "Healthcare Provider"},
    {"A81002", "Practice 2", "prov", "Healthcare Provider"},
    {"RXX01", "Example Hospitals NHS Foundation Trust", "prov", "Healthcare Provider"},
    {"RXX02", "Example Community Mental Health Trust", "prov", "Healthcare Provider"},
    {"RXX03", "Example Federated Podiatry Service", "prov", "Healthcare Provider"},
    {"FXX01", "Example Pharmacy", "prov", "Healthcare Provider"},
};
enum OrgIndex { kPractice = 0, kPractice2, kHospital, kMentalHealthTrust, kPodiatry, kPharmacy };

struct Staff {
  const char* role_display;
  const char* specialty;
  int org;
  bool female;
  int weight;  // how often they record
};
constexpr Staff kStaff[] = {
    {"General Medical Practitioner", "General practice", kPractice, true, 10},
    {"General Medical Practitioner", "General practice", kPractice, false, 10},
    {"General Medical Practitioner", "General practice", kPractice, false, 7},
    {"General Medical Practitioner", "General practice", kPractice2, true, 2},
    {"Practice Nurse", "General practice", kPractice, true, 8},
    {"Practice Nurse", "General practice", kPractice, false, 5},
    {"Health Care Assistant", "General practice", kPractice, true, 4},
    {"Podiatrist", "Podiatry", kPodiatry, false, 2},
    {"Consultant Psychiatrist", "Psychiatry", kMentalHealthTrust, true, 1},
    {"Community Psychiatric Nurse", "Mental health nursing", kMentalHealthTrust, false, 1},
    {"Consultant", "Diabetes and endocrinology", kHospital, true, 1},
    {"Pharmacist", "Pharmacy", kPharmacy, false, 2},
};
constexpr size_t kStaffCount = std::size(kStaff);

// ------------------------------------------------------------ randomness

// splitmix64: the same numbers on every platform and standard library.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1)));
  }
  bool Percent(uint32_t p) { return Below(100) < p; }
  bool PerMille(uint32_t p) { return Below(1000) < p; }
  template <class T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(static_cast<uint32_t>(N))];
  }
  // An item of `items` by its `weight`.
  template <class T, size_t N>
  const T& Weighted(const T (&items)[N]) {
    int total = 0;
    for (const T& t : items) total += t.weight;
    int w = static_cast<int>(Below(static_cast<uint32_t>(total)));
    for (const T& t : items) {
      if (w < t.weight) return t;
      w -= t.weight;
    }
    return items[N - 1];
  }
};

// A resource id: a version 4 UUID.
struct Id {
  std::array<char, 36> text;
  std::string_view view() const { return {text.data(), text.size()}; }
};

Id NewId(Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // variant 10
  Id id;
  size_t p = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id.text[p++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    id.text[p++] = kHex[(word >> shift) & 0xF];
  }
  return id;
}

// ------------------------------------------------------------------ dates

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int y;
  unsigned m, d;
};
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

// A short text built in place: dates, numbers, references.
class Text {
 public:
  Text& operator<<(std::string_view s) {
    std::memcpy(buf_ + n_, s.data(), s.size());
    n_ += s.size();
    return *this;
  }
  Text& operator<<(char c) {
    buf_[n_++] = c;
    return *this;
  }
  Text& Num(uint64_t v, int width = 0) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    for (int pad = width - static_cast<int>(r.ptr - tmp); pad > 0; --pad) buf_[n_++] = '0';
    return *this << std::string_view(tmp, static_cast<size_t>(r.ptr - tmp));
  }
  // A value given in tenths: 123 -> "12.3".
  Text& Tenths(int v) {
    Num(static_cast<uint64_t>(v / 10));
    return *this << '.' << static_cast<char>('0' + v % 10);
  }
  Text& Date(int64_t days) {
    Civil c = CivilFromDays(days);
    Num(static_cast<uint64_t>(c.y), 4) << '-';
    Num(c.m, 2) << '-';
    return Num(c.d, 2);
  }
  // A date and time of day in UK local time (BST from April to October,
  // near enough for synthetic data).
  Text& DateTime(int64_t days, int minute) {
    Date(days) << 'T';
    Num(static_cast<uint64_t>(minute / 60), 2) << ':';
    Num(static_cast<uint64_t>(minute % 60), 2) << ":00";
    unsigned m = CivilFromDays(days).m;
    return *this << (m >= 4 && m <= 10 ? "+01:00" : "+00:00");
  }
  std::string_view view() const { return {buf_, n_}; }
  void clear() { n_ = 0; }

 private:
  char buf_[256];
  size_t n_ = 0;
};

// ---------------------------------------------------------------- output

// The output buffer: flushed to the sink in chunks, or only counted.
class Out {
 public:
  static constexpr size_t kChunk = 1u << 20;

  explicit Out(const Sink* sink) : sink_(sink) { buf_.reserve(kChunk + (64u << 10)); }
  std::string& buf() { return buf_; }
  uint64_t bytes() const { return flushed_ + buf_.size(); }
  bool ok() const { return ok_; }
  void MaybeFlush() {
    if (buf_.size() >= kChunk) Flush();
  }
  void Flush() {
    if (sink_ != nullptr && ok_ && !buf_.empty()) ok_ = (*sink_)(buf_);
    flushed_ += buf_.size();
    buf_.clear();
  }

 private:
  const Sink* sink_;
  std::string buf_;
  uint64_t flushed_ = 0;
  bool ok_ = true;
};

// A pretty-printing JSON writer (two-space indents, `"key": value`).
class Json {
 public:
  explicit Json(std::string& buf) : b_(buf) {}

  void Open(char bracket) {
    Value();
    b_ += bracket;
    stack_.push_back({bracket == '[', true});
  }
  void Close() {
    Level l = stack_.back();
    stack_.pop_back();
    if (!l.empty) {
      b_ += '\n';
      Indent();
    }
    b_ += l.array ? ']' : '}';
  }
  void Key(std::string_view key) {
    Level& l = stack_.back();
    b_ += l.empty ? "\n" : ",\n";
    l.empty = false;
    Indent();
    b_ += '"';
    b_ += key;
    b_ += "\": ";
    after_key_ = true;
  }
  void Str(std::string_view s) {
    Value();
    b_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        b_ += '\\';
        b_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        b_ += "\\u00";
        b_ += kHex[(c >> 4) & 0xF];
        b_ += kHex[c & 0xF];
      } else {
        b_ += c;
      }
    }
    b_ += '"';
  }
  void Raw(std::string_view literal) {
    Value();
    b_ += literal;
  }

  // Shorthands.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    Str(value);
  }
  void RawField(std::string_view key, std::string_view literal) {
    Key(key);
    Raw(literal);
  }
  void Object(std::string_view key) {
    Key(key);
    Open('{');
  }
  void Array(std::string_view key) {
    Key(key);
    Open('[');
  }
  // {"reference": "<type>/<id>"} as the value of `key` (or in an array).
  void Reference(std::string_view key, std::string_view type, const Id& id) {
    if (!key.empty()) Key(key);
    Open('{');
    Text t;
    t << type << '/' << id.view();
    Field("reference", t.view());
    Close();
  }

 private:
  struct Level {
    bool array;
    bool empty;
  };
  void Value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (stack_.empty()) return;
    Level& l = stack_.back();
    b_ += l.empty ? "\n" : ",\n";
    l.empty = false;
    Indent();
  }
  void Indent() { b_.append(2 * stack_.size(), ' '); }

  std::string& b_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

// ------------------------------------------------------------- generator

// A clinical entry as the Composition of a document Bundle lists it.
struct Ref {
  Type type;
  Id id;
};

// What each part of a document Bundle's Composition costs, in bytes: each
// reference (in Bundle order), and each section beyond its references.
struct CompositionLayout {
  std::vector<uint64_t> ref_bytes;
  std::array<uint64_t, kSectionCount> section_bytes{};
};

struct Person {
  Id id;
  Id role_id;
  std::string family, given, prefix;
  bool female;
};

class Generator {
 public:
  Generator(const Options& options, Out& out, Summary& summary)
      : options_(options), out_(out), json_(out.buf()), summary_(summary) {
    Rng rng{options.seed ^ 0x5EEDB0B0CA1D1C07ull};
    patient_id_ = NewId(rng);
    composition_id_ = NewId(rng);
    bundle_id_ = NewId(rng);
    location_id_ = NewId(rng);
    for (Id& id : org_ids_) id = NewId(rng);
    for (Id& id : medication_ids_) id = NewId(rng);
    for (size_t i = 0; i < kStaffCount; ++i) {
      Person p;
      p.id = NewId(rng);
      p.role_id = NewId(rng);
      p.female = kStaff[i].female;
      p.family = rng.Pick(kFamilyNames);
      p.given = p.female ? rng.Pick(kGivenFemale) : rng.Pick(kGivenMale);
      p.prefix =
          std::string_view(kStaff[i].role_display).find("Medical") != std::string_view::npos ||
                  std::string_view(kStaff[i].role_display).find("Consultant") !=
                      std::string_view::npos
              ? "Dr"
              : (p.female ? "Ms" : "Mr");
      staff_.push_back(std::move(p));
    }
    patient_female_ = rng.Percent(55);
    patient_family_ = rng.Pick(kFamilyNames);
    patient_given_ = patient_female_ ? rng.Pick(kGivenFemale) : rng.Pick(kGivenMale);
    birth_ = DaysFromCivil(rng.Between(1940, 1975), static_cast<unsigned>(rng.Between(1, 12)),
                           static_cast<unsigned>(rng.Between(1, 28)));
    first_day_ = std::max(birth_ + 18 * 365, DaysFromCivil(1998, 1, 1));
    last_day_ = DaysFromCivil(2026, 6, 30);
    // The NHS number: 999 (the test range), six digits, the modulus 11 check digit.
    for (;;) {
      std::array<int, 9> d = {9, 9, 9};
      for (int i = 3; i < 9; ++i) d[i] = static_cast<int>(rng.Below(10));
      int sum = 0;
      for (int i = 0; i < 9; ++i) sum += d[i] * (10 - i);
      int check = 11 - sum % 11;
      if (check == 10) continue;
      if (check == 11) check = 0;
      for (int v : d) nhs_number_ += static_cast<char>('0' + v);
      nhs_number_ += static_cast<char>('0' + check);
      break;
    }
    house_ = rng.Between(1, 120);
    street_ = rng.Pick(kStreets);
    postcode_ = "TS" + std::to_string(rng.Between(1, 29)) + " " +
                std::to_string(rng.Between(1, 9)) + static_cast<char>('A' + rng.Below(26)) +
                static_cast<char>('A' + rng.Below(26));
    phone_ = "01632 960" + std::to_string(100 + rng.Below(900));
    clinical_rng_ = Rng{options.seed * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull};
    summary_.patient_id = std::string(patient_id_.view());
  }

  // Has the next Begin() record what the Composition's parts cost.
  void MeasureComposition(CompositionLayout* layout) { layout_ = layout; }

  // The Bundle up to its first clinical entry: the Patient, the supporting
  // resources and, in a document Bundle, the Composition listing `refs`.
  void Begin(std::span<const Ref> refs) {
    json_.Open('{');
    json_.Field("resourceType", "Bundle");
    json_.Field("id", bundle_id_.view());
    json_.Object("meta");
    json_.Field("lastUpdated", "2026-07-01T09:00:00+01:00");
    json_.Close();
    if (options_.type == BundleType::kDocument) {
      json_.Object("identifier");
      json_.Field("system", "urn:ietf:rfc:3986");
      Text t;
      t << "urn:uuid:" << bundle_id_.view();
      json_.Field("value", t.view());
      json_.Close();
    }
    json_.Field("type", BundleTypeName(options_.type));
    if (options_.type != BundleType::kTransaction) {
      json_.Field("timestamp", "2026-07-01T09:00:00+01:00");
    }
    if (options_.type == BundleType::kSearchset) {
      json_.Array("link");
      json_.Open('{');
      json_.Field("relation", "self");
      Text t;
      t << kBase << "Patient/" << patient_id_.view() << "/$everything";
      json_.Field("url", t.view());
      json_.Close();
      json_.Close();
    }
    json_.Array("entry");
    if (options_.type == BundleType::kDocument) WriteComposition(refs);
    WritePatient();
    for (size_t i = 0; i < std::size(kOrgs); ++i) WriteOrganization(i);
    WriteLocation();
    for (size_t i = 0; i < kStaffCount; ++i) WritePractitioner(i);
    for (size_t i = 0; i < kStaffCount; ++i) WritePractitionerRole(i);
    for (size_t i = 0; i < std::size(kMedicines); ++i) WriteMedication(i);
    out_.MaybeFlush();
  }

  // One clinical entry.
  Ref Next() {
    Rng& r = clinical_rng_;
    Ref ref;
    if (remaining_ == 0) {
      StartConsultation();
      ref = {kEncounter, encounter_id_};
      WriteEncounter();
    } else {
      --remaining_;
      int w = static_cast<int>(r.Below(static_cast<uint32_t>(kClinicalTotal)));
      Type type = kFlag;
      for (auto [t, tw] : kClinicalWeights) {
        if (w < tw) {
          type = t;
          break;
        }
        w -= tw;
      }
      ref = {type, NewId(r)};
      WriteClinical(ref);
    }
    ++summary_.clinical;
    out_.MaybeFlush();
    return ref;
  }

  void End() {
    json_.Close();  // entry
    json_.Close();  // Bundle
    out_.buf() += '\n';
    out_.Flush();
    summary_.bytes = out_.bytes();
    for (int t = 0; t < kTypeCount; ++t) {
      if (counts_[t] > 0) summary_.resources[std::string(kTypeNames[t])] = counts_[t];
    }
  }

 private:
  // ---------------------------------------------------------- entry frame

  void BeginEntry(Type type, const Id& id) {
    ++counts_[type];
    ++summary_.entries;
    json_.Open('{');
    Text t;
    t << kBase << kTypeNames[type] << '/' << id.view();
    json_.Field("fullUrl", t.view());
    json_.Object("resource");
    json_.Field("resourceType", kTypeNames[type]);
    json_.Field("id", id.view());
    entry_type_ = type;
    entry_id_ = id;
  }
  void EndEntry() {
    json_.Close();  // resource
    if (options_.type == BundleType::kSearchset) {
      bool match = entry_type_ == kPatient || entry_type_ >= kEncounter;
      json_.Object("search");
      json_.Field("mode", match ? "match" : "include");
      json_.Close();
    } else if (options_.type == BundleType::kTransaction) {
      json_.Object("request");
      json_.Field("method", "PUT");
      Text t;
      t << kTypeNames[entry_type_] << '/' << entry_id_.view();
      json_.Field("url", t.view());
      json_.Close();
    }
    json_.Close();  // entry
  }

  // meta: lastUpdated, and the security labels when there are any.
  void Meta(int64_t day, Label label, bool restricted, bool normal) {
    json_.Object("meta");
    Text t;
    t.DateTime(day + 1, 7 * 60 + 30);
    json_.Field("lastUpdated", t.view());
    if (label != Label::kNone || restricted || normal) {
      ++summary_.labelled;
      json_.Array("security");
      if (restricted || normal) {
        json_.Open('{');
        json_.Field("system", kConfidentiality);
        json_.Field("code", restricted ? "R" : "N");
        json_.Field("display", restricted ? "restricted" : "normal");
        json_.Close();
      }
      if (label != Label::kNone) {
        const LabelCode& l = kLabelCodes[static_cast<int>(label)];
        json_.Open('{');
        json_.Field("system", kActCode);
        json_.Field("code", l.code);
        json_.Field("display", l.display);
        json_.Close();
      }
      json_.Close();
    }
    json_.Close();
  }
  // The labels of a clinical entry: most have none; some are marked normal;
  // a sensitive concept often carries its ActCode label, and sometimes
  // restricted; a few others are restricted.
  void ClinicalMeta(Label label) {
    Rng& r = clinical_rng_;
    bool sensitive = label != Label::kNone && r.Percent(60);
    bool restricted = sensitive ? r.Percent(30) : r.PerMille(8);
    bool normal = !restricted && r.Percent(12);
    Meta(day_, sensitive ? label : Label::kNone, restricted, normal);
  }

  void Coding(std::string_view system, std::string_view code, std::string_view display) {
    json_.Open('{');
    json_.Field("system", system);
    json_.Field("code", code);
    if (!display.empty()) json_.Field("display", display);
    json_.Close();
  }
  // A CodeableConcept with one coding.
  void Concept1(std::string_view key, std::string_view system, std::string_view code,
                std::string_view display) {
    if (!key.empty())
      json_.Object(key);
    else
      json_.Open('{');
    json_.Array("coding");
    Coding(system, code, display);
    json_.Close();
    json_.Close();
  }
  // The main CodeableConcept of a clinical entry: the SNOMED CT coding, then
  // ICD-10 and Read v2 where the concept has them (1 to 3 codings).
  void MainConcept(std::string_view key, const Concept& c) {
    Rng& r = clinical_rng_;
    if (!key.empty())
      json_.Object(key);
    else
      json_.Open('{');
    json_.Array("coding");
    Coding(kSnomed, c.code, c.display);
    if (c.icd10 != nullptr && r.Percent(65))
      Coding(kIcd10, c.icd10, TitleOf(kIcd10Titles, c.icd10));
    if (c.read != nullptr && r.Percent(70)) Coding(kReadV2, c.read, TitleOf(kReadTitles, c.read));
    json_.Close();
    json_.Field("text", c.display);
    json_.Close();
  }
  void Identifier() {
    json_.Array("identifier");
    json_.Open('{');
    json_.Field("system", kRecordId);
    json_.Field("value", NewId(clinical_rng_).view());
    json_.Close();
    json_.Close();
  }
  void Subject(std::string_view key = "subject") { json_.Reference(key, "Patient", patient_id_); }
  void Practitioner(std::string_view key) {
    json_.Reference(key, "Practitioner", staff_[clinician_].id);
  }
  void EncounterRef() { json_.Reference("encounter", "Encounter", encounter_id_); }
  void DateTimeField(std::string_view key, int64_t day, int minute) {
    Text t;
    t.DateTime(day, minute);
    json_.Field(key, t.view());
  }
  // A day `days` after the consultation, but not after the end of the record.
  int64_t Later(uint32_t days) const { return std::min(day_ + days, last_day_); }
  void DateField(std::string_view key, int64_t day) {
    Text t;
    t.Date(day);
    json_.Field(key, t.view());
  }

  // ------------------------------------------------------ fixed resources

  void WritePatient() {
    BeginEntry(kPatient, patient_id_);
    Meta(last_day_, Label::kNone, false, false);
    json_.Array("identifier");
    json_.Open('{');
    json_.Field("system", kNhsNumber);
    json_.Field("value", nhs_number_);
    json_.Close();
    json_.Close();
    json_.RawField("active", "true");
    json_.Array("name");
    json_.Open('{');
    json_.Field("use", "official");
    json_.Field("family", patient_family_);
    json_.Array("given");
    json_.Str(patient_given_);
    json_.Close();
    json_.Array("prefix");
    json_.Str(patient_female_ ? "Mrs" : "Mr");
    json_.Close();
    json_.Close();
    json_.Close();
    json_.Array("telecom");
    json_.Open('{');
    json_.Field("system", "phone");
    json_.Field("value", phone_);
    json_.Field("use", "home");
    json_.Close();
    json_.Close();
    json_.Field("gender", patient_female_ ? "female" : "male");
    DateField("birthDate", birth_);
    json_.Array("address");
    json_.Open('{');
    json_.Field("use", "home");
    json_.Array("line");
    json_.Str(std::to_string(house_) + " " + street_);
    json_.Close();
    json_.Field("city", "Stockton-on-Tees");
    json_.Field("postalCode", postcode_);
    json_.Close();
    json_.Close();
    json_.Array("generalPractitioner");
    json_.Reference("", "Organization", org_ids_[kPractice]);
    json_.Close();
    json_.Reference("managingOrganization", "Organization", org_ids_[kPractice]);
    EndEntry();
  }

  void WriteOrganization(size_t i) {
    const Org& o = kOrgs[i];
    BeginEntry(kOrganization, org_ids_[i]);
    json_.Array("identifier");
    json_.Open('{');
    json_.Field("system", kOds);
    json_.Field("value", o.ods);
    json_.Close();
    json_.Close();
    json_.RawField("active", "true");
    json_.Array("type");
    Concept1("", "http://terminology.hl7.org/CodeSystem/organization-type", o.type_code,
             o.type_display);
    json_.Close();
    json_.Field("name", o.name);
    json_.Array("telecom");
    json_.Open('{');
    json_.Field("system", "phone");
    json_.Field("value", "01632 9600" + std::to_string(10 + i));
    json_.Field("use", "work");
    json_.Close();
    json_.Close();
    json_.Array("address");
    json_.Open('{');
    json_.Array("line");
    json_.Str(std::to_string(3 + 7 * i) + " " + kStreets[i % std::size(kStreets)]);
    json_.Close();
    json_.Field("city", "Stockton-on-Tees");
    json_.Field("postalCode", "TS" + std::to_string(18 + i) + " 1AB");
    json_.Close();
    json_.Close();
    EndEntry();
  }

  void WriteLocation() {
    BeginEntry(kLocation, location_id_);
    json_.Field("status", "active");
    json_.Field("name", "Practice 1 main surgery");
    json_.Array("type");
    Concept1("", "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "PC", "Primary care clinic");
    json_.Close();
    json_.Reference("managingOrganization", "Organization", org_ids_[kPractice]);
    EndEntry();
  }

  void WritePractitioner(size_t i) {
    const Person& p = staff_[i];
    BeginEntry(kPractitioner, p.id);
    json_.Array("identifier");
    json_.Open('{');
    json_.Field("system", kSdsUser);
    Text t;
    t.Num(500000000000ull + 7919ull * (i + 1) * (options_.seed % 1000 + 1) % 99999999999ull, 12);
    json_.Field("value", t.view());
    json_.Close();
    json_.Close();
    json_.RawField("active", "true");
    json_.Array("name");
    json_.Open('{');
    json_.Field("family", p.family);
    json_.Array("given");
    json_.Str(p.given);
    json_.Close();
    json_.Array("prefix");
    json_.Str(p.prefix);
    json_.Close();
    json_.Close();
    json_.Close();
    json_.Field("gender", p.female ? "female" : "male");
    EndEntry();
  }

  void WritePractitionerRole(size_t i) {
    const Person& p = staff_[i];
    const Staff& s = kStaff[i];
    BeginEntry(kPractitionerRole, p.role_id);
    json_.RawField("active", "true");
    json_.Reference("practitioner", "Practitioner", p.id);
    json_.Reference("organization", "Organization", org_ids_[static_cast<size_t>(s.org)]);
    json_.Array("code");
    json_.Open('{');
    json_.Field("text", s.role_display);
    json_.Close();
    json_.Close();
    json_.Array("specialty");
    json_.Open('{');
    json_.Field("text", s.specialty);
    json_.Close();
    json_.Close();
    EndEntry();
  }

  void WriteMedication(size_t i) {
    const Medicine& m = kMedicines[i];
    BeginEntry(kMedication, medication_ids_[i]);
    MedicationBody(m);
    EndEntry();
  }
  void MedicationBody(const Medicine& m) {
    json_.Object("code");
    json_.Array("coding");
    Coding(kSnomed, m.code, m.display);
    json_.Close();
    json_.Field("text", m.text);
    json_.Close();
    json_.Field("status", "active");
    json_.Object("form");
    json_.Field("text", m.form);
    json_.Close();
  }

  void WriteComposition(std::span<const Ref> refs) {
    BeginEntry(kComposition, composition_id_);
    json_.Field("status", "final");
    Concept1("type", kLoinc, "60591-5", "Patient summary Document");
    Subject();
    json_.Field("date", "2026-07-01T09:00:00+01:00");
    json_.Array("author");
    json_.Reference("", "Organization", org_ids_[kPractice]);
    json_.Close();
    json_.Field("title", "Patient summary");
    json_.Reference("custodian", "Organization", org_ids_[kPractice]);
    // The sections in order, each with its entries in Bundle order.
    std::array<size_t, kSectionCount> count{};
    for (const Ref& r : refs) ++count[SectionOf(r.type)];
    json_.Array("section");
    if (layout_ != nullptr) layout_->ref_bytes.assign(refs.size(), 0);
    for (int s = 0; s < kSectionCount; ++s) {
      if (count[s] == 0) continue;
      const SectionInfo& info = kSections[s];
      uint64_t section_start = out_.bytes(), in_refs = 0;
      json_.Open('{');
      json_.Field("title", info.title);
      if (info.loinc != nullptr) Concept1("code", kLoinc, info.loinc, info.loinc_display);
      json_.Object("text");
      json_.Field("status", "generated");
      json_.Field("div", std::string("<div xmlns=\"http://www.w3.org/1999/xhtml\">") + info.title +
                             "</div>");
      json_.Close();
      json_.Array("entry");
      for (size_t i = 0; i < refs.size(); ++i) {
        if (SectionOf(refs[i].type) != s) continue;
        uint64_t start = out_.bytes();
        json_.Reference("", kTypeNames[refs[i].type], refs[i].id);
        if (layout_ != nullptr) layout_->ref_bytes[i] = out_.bytes() - start;
        in_refs += out_.bytes() - start;
      }
      json_.Close();
      json_.Close();
      if (layout_ != nullptr) layout_->section_bytes[s] = out_.bytes() - section_start - in_refs;
      out_.MaybeFlush();
    }
    json_.Close();
    EndEntry();
  }

  // ------------------------------------------------------ consultations

  void StartConsultation() {
    Rng& r = clinical_rng_;
    // Recent years are busier: the later of two uniform days.
    uint32_t span = static_cast<uint32_t>(last_day_ - first_day_ + 1);
    day_ = first_day_ + std::max(r.Below(span), r.Below(span));
    minute_ = 8 * 60 + 5 * static_cast<int>(r.Below(126));  // 08:00 to 18:25
    // The clinician, by how much they record.
    int total = 0;
    for (const Staff& s : kStaff) total += s.weight;
    int w = static_cast<int>(r.Below(static_cast<uint32_t>(total)));
    clinician_ = 0;
    while (w >= kStaff[clinician_].weight) w -= kStaff[clinician_++].weight;
    encounter_id_ = NewId(r);
    remaining_ = static_cast<int>(1 + r.Below(4) + r.Below(4));  // 1 to 7 entries
  }

  void WriteEncounter() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kEncounterTypes);
    BeginEntry(kEncounter, encounter_id_);
    ClinicalMeta(c.label);
    Identifier();
    json_.Field("status", "finished");
    bool phone = std::string_view(c.code) == "185317003";
    bool home = !phone && r.Percent(4);
    json_.Object("class");
    json_.Field("system", kActCode);
    json_.Field("code", phone ? "VR" : home ? "HH" : "AMB");
    json_.Field("display", phone ? "virtual" : home ? "home health" : "ambulatory");
    json_.Close();
    json_.Array("type");
    MainConcept("", c);
    json_.Close();
    Subject();
    json_.Array("participant");
    json_.Open('{');
    json_.Array("type");
    Concept1("", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF",
             "primary performer");
    json_.Close();
    json_.Reference("individual", "PractitionerRole", staff_[clinician_].role_id);
    json_.Close();
    json_.Close();
    json_.Object("period");
    DateTimeField("start", day_, minute_);
    DateTimeField("end", day_, minute_ + 10 + 5 * static_cast<int>(r.Below(4)));
    json_.Close();
    if (!phone && !home) {
      json_.Array("location");
      json_.Open('{');
      json_.Reference("location", "Location", location_id_);
      json_.Close();
      json_.Close();
    }
    json_.Reference("serviceProvider", "Organization",
                    org_ids_[static_cast<size_t>(kStaff[clinician_].org)]);
    EndEntry();
  }

  void WriteClinical(const Ref& ref) {
    BeginEntry(ref.type, ref.id);
    switch (ref.type) {
      case kCondition:
        WriteCondition();
        break;
      case kAllergyIntolerance:
        WriteAllergy();
        break;
      case kMedicationRequest:
        WriteMedicationRequest();
        break;
      case kMedicationStatement:
        WriteMedicationStatement();
        break;
      case kObservation:
        WriteObservation();
        break;
      case kProcedure:
        WriteProcedure();
        break;
      case kImmunization:
        WriteImmunization();
        break;
      case kDocumentReference:
        WriteDocumentReference();
        break;
      case kServiceRequest:
        WriteServiceRequest();
        break;
      case kFamilyMemberHistory:
        WriteFamilyMemberHistory();
        break;
      case kCarePlan:
        WriteCarePlan();
        break;
      default:
        WriteFlag();
        break;
    }
    EndEntry();
  }

  void WriteCondition() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kConditions);
    ClinicalMeta(c.label);
    Identifier();
    uint32_t s = r.Below(100);
    const char* status = s < 50   ? "active"
                         : s < 53 ? "recurrence"
                         : s < 55 ? "relapse"
                         : s < 70 ? "inactive"
                         : s < 75 ? "remission"
                                  : "resolved";
    std::string display = status;
    display[0] = static_cast<char>(display[0] - 'a' + 'A');
    Concept1("clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical", status,
             display);
    uint32_t v = r.Below(100);
    Concept1("verificationStatus", "http://terminology.hl7.org/CodeSystem/condition-ver-status",
             v < 90 ? "confirmed" : "unconfirmed", v < 90 ? "Confirmed" : "Unconfirmed");
    json_.Array("category");
    bool problem = r.Percent(70);
    Concept1("", "http://terminology.hl7.org/CodeSystem/condition-category",
             problem ? "problem-list-item" : "encounter-diagnosis",
             problem ? "Problem List Item" : "Encounter Diagnosis");
    json_.Close();
    MainConcept("code", c);
    Subject();
    EncounterRef();
    // The onset: often before the record of it, sometimes only a year or month.
    int64_t onset = day_ - static_cast<int64_t>(r.Below(3) == 0 ? r.Below(3650) : r.Below(60));
    onset = std::max(onset, birth_);
    Text t;
    uint32_t p = r.Below(10);
    if (p == 0) {
      t.Num(static_cast<uint64_t>(CivilFromDays(onset).y), 4);
    } else if (p == 1) {
      Civil cv = CivilFromDays(onset);
      t.Num(static_cast<uint64_t>(cv.y), 4) << '-';
      t.Num(cv.m, 2);
    } else {
      t.Date(onset);
    }
    json_.Field("onsetDateTime", t.view());
    if (s >= 70) {
      DateField("abatementDateTime", Later(30 + r.Below(700)));
    }
    DateTimeField("recordedDate", day_, minute_);
    Practitioner("recorder");
    Practitioner("asserter");
    if (r.Percent(20)) {
      json_.Array("note");
      json_.Open('{');
      json_.Field("text", "Discussed with patient; see consultation notes.");
      json_.Close();
      json_.Close();
    }
  }

  void WriteAllergy() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kAllergyCodes);
    ClinicalMeta(c.label);
    Identifier();
    uint32_t s = r.Below(100);
    if (s >= 3) {  // a few records leave the clinical status out
      const char* status = s < 88 ? "active" : s < 96 ? "inactive" : "resolved";
      std::string display = status;
      display[0] = static_cast<char>(display[0] - 'a' + 'A');
      Concept1("clinicalStatus",
               "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", status,
               display);
    }
    Concept1("verificationStatus",
             "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed",
             "Confirmed");
    json_.Field("type", r.Percent(85) ? "allergy" : "intolerance");
    std::string_view code = c.code;
    const char* category = code == "91935009" || code == "414285001" ? "food"
                           : code == "300916003"                     ? "environment"
                                                                     : "medication";
    json_.Array("category");
    json_.Str(category);
    json_.Close();
    json_.Field("criticality", r.Percent(25) ? "high" : "low");
    MainConcept("code", c);
    Subject("patient");
    EncounterRef();
    DateField("onsetDateTime", std::max(birth_, day_ - static_cast<int64_t>(r.Below(5000))));
    DateTimeField("recordedDate", day_, minute_);
    Practitioner("recorder");
    json_.Array("reaction");
    json_.Open('{');
    json_.Array("manifestation");
    Concept1("", kSnomed, "419076005", "Allergic reaction");
    json_.Close();
    json_.Field("severity", r.Percent(70) ? "mild" : "moderate");
    json_.Close();
    json_.Close();
  }

  // medicationCodeableConcept, or medicationReference to the Bundle's
  // Medication, or to a contained one.
  void MedicationChoice(bool allow_contained) {
    Rng& r = clinical_rng_;
    size_t m = static_cast<size_t>(&r.Weighted(kMedicines) - kMedicines);
    uint32_t how = r.Below(100);
    if (allow_contained && how < 10) {
      json_.Array("contained");
      json_.Open('{');
      json_.Field("resourceType", "Medication");
      json_.Field("id", "med1");
      MedicationBody(kMedicines[m]);
      json_.Close();
      json_.Close();
      json_.Object("medicationReference");
      json_.Field("reference", "#med1");
      json_.Close();
    } else if (how < 60) {
      json_.Reference("medicationReference", "Medication", medication_ids_[m]);
    } else {
      const Medicine& med = kMedicines[m];
      json_.Object("medicationCodeableConcept");
      json_.Array("coding");
      Coding(kSnomed, med.code, med.display);
      json_.Close();
      json_.Field("text", med.text);
      json_.Close();
    }
    medicine_ = m;
  }

  void WriteMedicationRequest() {
    Rng& r = clinical_rng_;
    uint32_t s = r.Below(100);
    const char* status = s < 30   ? "active"
                         : s < 80 ? "completed"
                         : s < 92 ? "stopped"
                         : s < 96 ? "on-hold"
                         : s < 98 ? "cancelled"
                                  : "draft";
    ClinicalMeta(Label::kNone);
    Identifier();
    json_.Field("status", status);
    json_.Field("intent", "order");
    json_.Array("category");
    Concept1("", "http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community",
             "Community");
    json_.Close();
    MedicationChoice(true);
    Subject();
    EncounterRef();
    DateTimeField("authoredOn", day_, minute_);
    Practitioner("requester");
    json_.Array("dosageInstruction");
    json_.Open('{');
    json_.Field("text", kMedicines[medicine_].dosage);
    json_.Close();
    json_.Close();
    json_.Object("dispenseRequest");
    json_.Object("quantity");
    json_.RawField("value", r.Percent(50) ? "28" : "56");
    json_.Field("unit", kMedicines[medicine_].form);
    json_.Close();
    json_.Object("expectedSupplyDuration");
    json_.RawField("value", "28");
    json_.Field("unit", "day");
    json_.Field("system", kUcum);
    json_.Field("code", "d");
    json_.Close();
    json_.Close();
  }

  void WriteMedicationStatement() {
    Rng& r = clinical_rng_;
    uint32_t s = r.Below(100);
    const char* status = s < 35   ? "active"
                         : s < 75 ? "completed"
                         : s < 90 ? "stopped"
                         : s < 94 ? "intended"
                         : s < 97 ? "on-hold"
                                  : "unknown";
    ClinicalMeta(Label::kNone);
    Identifier();
    json_.Field("status", status);
    MedicationChoice(false);
    Subject();
    json_.Reference("context", "Encounter", encounter_id_);
    if (r.Percent(50)) {
      DateTimeField("effectiveDateTime", day_, minute_);
    } else {
      json_.Object("effectivePeriod");
      DateField("start", day_);
      if (s >= 35 && s < 90) DateField("end", Later(28 + r.Below(900)));
      json_.Close();
    }
    DateTimeField("dateAsserted", day_, minute_);
    Practitioner("informationSource");
    json_.Array("dosage");
    json_.Open('{');
    json_.Field("text", kMedicines[medicine_].dosage);
    json_.Close();
    json_.Close();
  }

  void WriteObservation() {
    Rng& r = clinical_rng_;
    bool measurement = r.Percent(45);
    const Concept* finding = measurement ? nullptr : &r.Weighted(kFindings);
    ClinicalMeta(finding != nullptr ? finding->label : Label::kNone);
    Identifier();
    json_.Field("status", "final");
    json_.Array("category");
    if (measurement) {
      Concept1("", "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs",
               "Vital Signs");
    } else {
      Concept1("", "http://terminology.hl7.org/CodeSystem/observation-category", "exam", "Exam");
    }
    json_.Close();
    if (measurement) {
      const Measurement& m = r.Weighted(kMeasurements);
      json_.Object("code");
      json_.Array("coding");
      Coding(kSnomed, m.code, m.display);
      if (m.loinc != nullptr) Coding(kLoinc, m.loinc, m.loinc_display);
      json_.Close();
      json_.Field("text", m.display);
      json_.Close();
      Subject();
      EncounterRef();
      DateTimeField("effectiveDateTime", day_, minute_);
      DateTimeField("issued", day_, minute_ + 1);
      json_.Array("performer");
      json_.Reference("", "Practitioner", staff_[clinician_].id);
      json_.Close();
      if (m.high == 0) {  // blood pressure: two components
        json_.Array("component");
        Component("271649006", "Systolic blood pressure", "8480-6", "Systolic blood pressure",
                  r.Between(105, 175));
        Component("271650006", "Diastolic blood pressure", "8462-4", "Diastolic blood pressure",
                  r.Between(60, 105));
        json_.Close();
      } else {
        int v = r.Between(m.low, m.high);
        Quantity("valueQuantity", m.decimal ? v : v - v % 10, m.unit);
      }
    } else {
      MainConcept("code", *finding);
      Subject();
      EncounterRef();
      DateTimeField("effectiveDateTime", day_, minute_);
      DateTimeField("issued", day_, minute_ + 1);
      json_.Array("performer");
      json_.Reference("", "Practitioner", staff_[clinician_].id);
      json_.Close();
    }
  }
  void Quantity(std::string_view key, int tenths, std::string_view unit) {
    json_.Object(key);
    Text t;
    if (tenths % 10 == 0) {
      t.Num(static_cast<uint64_t>(tenths / 10));
    } else {
      t.Tenths(tenths);
    }
    json_.RawField("value", t.view());
    json_.Field("unit", unit);
    json_.Field("system", kUcum);
    json_.Field("code", unit);
    json_.Close();
  }
  void Component(std::string_view code, std::string_view display, std::string_view loinc,
                 std::string_view loinc_display, int value) {
    json_.Open('{');
    json_.Object("code");
    json_.Array("coding");
    Coding(kSnomed, code, display);
    Coding(kLoinc, loinc, loinc_display);
    json_.Close();
    json_.Close();
    Quantity("valueQuantity", value * 10, "mm[Hg]");
    json_.Close();
  }

  void WriteProcedure() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kProcedureCodes);
    ClinicalMeta(c.label);
    Identifier();
    json_.Field("status", "completed");
    MainConcept("code", c);
    Subject();
    EncounterRef();
    DateTimeField("performedDateTime", day_, minute_);
    Practitioner("recorder");
    json_.Array("performer");
    json_.Open('{');
    Practitioner("actor");
    json_.Close();
    json_.Close();
  }

  void WriteImmunization() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kVaccines);
    ClinicalMeta(c.label);
    Identifier();
    json_.Field("status", "completed");
    MainConcept("vaccineCode", c);
    Subject("patient");
    EncounterRef();
    DateTimeField("occurrenceDateTime", day_, minute_);
    DateTimeField("recorded", day_, minute_);
    json_.RawField("primarySource", "true");
    Text t;
    t << "LOT" << static_cast<char>('A' + r.Below(26));
    t.Num(r.Below(100000), 5);
    json_.Field("lotNumber", t.view());
    DateField("expirationDate", day_ + 180 + r.Below(365));
    json_.Array("performer");
    json_.Open('{');
    Practitioner("actor");
    json_.Close();
    json_.Close();
    json_.Array("protocolApplied");
    json_.Open('{');
    json_.RawField("doseNumberPositiveInt", r.Percent(80) ? "1" : "2");
    json_.Close();
    json_.Close();
  }

  void WriteDocumentReference() {
    Rng& r = clinical_rng_;
    // Letters about sensitive care carry their label: the type says nothing.
    static constexpr Label kTopics[] = {Label::kPsy, Label::kSex, Label::kStd, Label::kEth,
                                        Label::kSdv};
    Label label = r.Percent(10) ? kTopics[r.Below(std::size(kTopics))] : Label::kNone;
    ClinicalMeta(label);
    Identifier();
    json_.Field("status", "current");
    json_.Field("docStatus", "final");
    bool letter = r.Percent(70);
    if (letter) {
      Concept1("type", kSnomed, "270425006", "Letter from specialist");
    } else {
      Concept1("type", kSnomed, "371524004", "Clinical report");
    }
    Subject();
    DateTimeField("date", day_, minute_);
    size_t from = letter ? (r.Percent(30) ? kMentalHealthTrust : kHospital) : kPractice;
    json_.Array("author");
    json_.Reference("", "Organization", org_ids_[from]);
    json_.Close();
    json_.Reference("custodian", "Organization", org_ids_[kPractice]);
    json_.Field("description", letter ? "Clinic letter" : "Clinical report");
    json_.Array("content");
    json_.Open('{');
    json_.Object("attachment");
    json_.Field("contentType", "application/pdf");
    Text t;
    t << kBase << "Binary/" << NewId(r).view();
    json_.Field("url", t.view());
    json_.RawField("size", std::to_string(20000 + r.Below(400000)));
    json_.Field("title", letter ? "Clinic letter.pdf" : "Report.pdf");
    DateTimeField("creation", day_, minute_);
    json_.Close();
    json_.Close();
    json_.Close();
    json_.Object("context");
    json_.Array("encounter");
    json_.Reference("", "Encounter", encounter_id_);
    json_.Close();
    json_.Object("period");
    DateField("start", day_);
    json_.Close();
    json_.Close();
  }

  void WriteServiceRequest() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kReferralCodes);
    ClinicalMeta(c.label);
    Identifier();
    uint32_t s = r.Below(100);
    json_.Field("status", s < 25 ? "active" : s < 95 ? "completed" : "revoked");
    json_.Field("intent", "order");
    json_.Array("category");
    Concept1("", kSnomed, "3457005", "Patient referral");
    json_.Close();
    json_.Field("priority", r.Percent(85) ? "routine" : "urgent");
    MainConcept("code", c);
    Subject();
    EncounterRef();
    DateTimeField("authoredOn", day_, minute_);
    Practitioner("requester");
    std::string_view code = c.code;
    size_t to = code == "308451001"                          ? kPodiatry
                : code == "183524004" || code == "308459004" ? kMentalHealthTrust
                                                             : kHospital;
    json_.Array("performer");
    json_.Reference("", "Organization", org_ids_[to]);
    json_.Close();
  }

  void WriteFamilyMemberHistory() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kFamilyConditions);
    struct Relative {
      const char* code;
      const char* display;
      const char* sex;
    };
    static constexpr Relative kRelatives[] = {
        {"FTH", "father", "male"},        {"MTH", "mother", "female"},
        {"BRO", "brother", "male"},       {"SIS", "sister", "female"},
        {"GRFTH", "grandfather", "male"}, {"GRMTH", "grandmother", "female"}};
    const Relative& rel = kRelatives[r.Below(std::size(kRelatives))];
    ClinicalMeta(Label::kNone);
    Identifier();
    json_.Field("status", "completed");
    Subject("patient");
    DateTimeField("date", day_, minute_);
    Concept1("relationship", "http://terminology.hl7.org/CodeSystem/v3-RoleCode", rel.code,
             rel.display);
    Concept1("sex", "http://hl7.org/fhir/administrative-gender", rel.sex, "");
    json_.Array("condition");
    json_.Open('{');
    MainConcept("code", c);
    json_.Object("onsetAge");
    json_.RawField("value", std::to_string(r.Between(35, 80)));
    json_.Field("unit", "a");
    json_.Field("system", kUcum);
    json_.Field("code", "a");
    json_.Close();
    json_.Close();
    json_.Close();
  }

  void WriteCarePlan() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kCarePlanCodes);
    ClinicalMeta(c.label);
    Identifier();
    bool active = r.Percent(40);
    json_.Field("status", active ? "active" : "completed");
    json_.Field("intent", "plan");
    json_.Array("category");
    MainConcept("", c);
    json_.Close();
    json_.Field("title", c.display);
    Subject();
    EncounterRef();
    json_.Object("period");
    DateField("start", day_);
    if (!active) DateField("end", Later(90 + r.Below(600)));
    json_.Close();
    DateTimeField("created", day_, minute_);
    Practitioner("author");
    json_.Array("activity");
    json_.Open('{');
    json_.Object("detail");
    json_.Field("status", active ? "in-progress" : "completed");
    json_.Field("description", "Review at the next appointment.");
    json_.Close();
    json_.Close();
    json_.Close();
  }

  void WriteFlag() {
    Rng& r = clinical_rng_;
    const Concept& c = r.Weighted(kFlags);
    ClinicalMeta(c.label);
    Identifier();
    bool active = r.Percent(75);
    json_.Field("status", active ? "active" : "inactive");
    json_.Array("category");
    bool safety = c.label != Label::kNone;
    Concept1("", "http://terminology.hl7.org/CodeSystem/flag-category",
             safety ? "safety" : "clinical", safety ? "Safety" : "Clinical");
    json_.Close();
    MainConcept("code", c);
    Subject();
    json_.Object("period");
    DateTimeField("start", day_, minute_);
    if (!active) DateField("end", Later(30 + r.Below(900)));
    json_.Close();
    EncounterRef();
    Practitioner("author");
  }

  const Options& options_;
  Out& out_;
  Json json_;
  Summary& summary_;
  std::array<uint64_t, kTypeCount> counts_{};

  // Fixed resources.
  Id patient_id_, composition_id_, bundle_id_, location_id_;
  std::array<Id, std::size(kOrgs)> org_ids_;
  std::array<Id, std::size(kMedicines)> medication_ids_;
  std::vector<Person> staff_;
  bool patient_female_ = false;
  std::string patient_family_, patient_given_, nhs_number_, street_, postcode_, phone_;
  int house_ = 1;
  int64_t birth_ = 0, first_day_ = 0, last_day_ = 0;

  // The clinical stream.
  Rng clinical_rng_{0};
  int remaining_ = 0;  // entries still to record at this consultation
  int64_t day_ = 0;
  int minute_ = 0;
  size_t clinician_ = 0;
  size_t medicine_ = 0;
  Id encounter_id_{};
  Type entry_type_ = kPatient;
  Id entry_id_{};
  CompositionLayout* layout_ = nullptr;
};

}  // namespace

std::string_view BundleTypeName(BundleType type) {
  switch (type) {
    case BundleType::kCollection:
      return "collection";
    case BundleType::kSearchset:
      return "searchset";
    case BundleType::kDocument:
      return "document";
    case BundleType::kTransaction:
      return "transaction";
  }
  return "collection";
}

std::optional<BundleType> ParseBundleType(std::string_view name) {
  for (BundleType t : {BundleType::kCollection, BundleType::kSearchset, BundleType::kDocument,
                       BundleType::kTransaction}) {
    if (BundleTypeName(t) == name) return t;
  }
  return std::nullopt;
}

bool Generate(const Options& options, const Sink& sink, Summary& summary) {
  summary = Summary();
  // What follows the last entry: "\n  ]\n}\n".
  constexpr uint64_t kTail = 7;
  std::vector<Ref> refs;
  uint64_t count = UINT64_MAX;
  if (options.type == BundleType::kDocument) {
    // The Composition comes first and lists every clinical entry, so a dry
    // run (counted, not written) decides how many there will be: enough
    // that entries and Composition together reach the size.
    Summary dry_summary;
    Out counter(nullptr);
    Generator dry(options, counter, dry_summary);
    dry.Begin({});
    const uint64_t fixed = counter.bytes();
    std::vector<uint64_t> ends;  // the clinical bytes after each entry
    // A reference in the Composition costs at least 80 bytes: stop past the
    // size, then cut back.
    while (counter.bytes() + 80 * refs.size() + kTail < options.bytes + (64u << 10)) {
      refs.push_back(dry.Next());
      ends.push_back(counter.bytes() - fixed);
    }
    // The Composition listing them all; then drop entries from the end
    // while the rest, with their smaller Composition, still reach the size.
    CompositionLayout layout;
    Summary full_summary;
    Out full(nullptr);
    Generator g(options, full, full_summary);
    g.MeasureComposition(&layout);
    g.Begin(refs);
    uint64_t composition = full.bytes() - fixed;  // beyond an empty one
    std::array<uint64_t, kSectionCount> in_section{};
    for (const Ref& r : refs) ++in_section[SectionOf(r.type)];
    size_t n = refs.size();
    while (n > 1) {
      uint64_t smaller = composition - layout.ref_bytes[n - 1];
      Section s = SectionOf(refs[n - 1].type);
      if (in_section[s] == 1) smaller -= layout.section_bytes[s];
      // A margin for the separator of a section that becomes the first.
      if (fixed + smaller + ends[n - 2] + kTail < options.bytes + 16) break;
      composition = smaller;
      --in_section[s];
      --n;
    }
    refs.resize(n);
    count = n;
  }
  Out out(&sink);
  Generator g(options, out, summary);
  g.Begin(refs);
  if (options.type == BundleType::kDocument) {
    for (uint64_t i = 0; i < count && out.ok(); ++i) g.Next();
  } else {
    while (out.bytes() + kTail < options.bytes && out.ok()) g.Next();
  }
  g.End();
  return out.ok();
}

bool GenerateFile(const Options& options, const std::string& path, Summary& summary,
                  std::string& error) {
  bool to_stdout = path == "-";
  std::FILE* f = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  int write_errno = 0;
  Sink sink = [&](std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), f) != chunk.size()) {
      write_errno = errno;
      return false;
    }
    return true;
  };
  bool ok = Generate(options, sink, summary);
  if (to_stdout) {
    ok = std::fflush(f) == 0 && ok;
  } else {
    ok = std::fclose(f) == 0 && ok;
  }
  if (!ok) {
    error = "cannot write " + path + ": " + std::strerror(write_errno != 0 ? write_errno : errno);
  }
  return ok;
}

std::string GenerateString(const Options& options, Summary* summary) {
  std::string s;
  s.reserve(options.bytes + (64u << 10));
  Summary local;
  Generate(
      options,
      [&](std::string_view chunk) {
        s.append(chunk);
        return true;
      },
      summary != nullptr ? *summary : local);
  return s;
}

}  // namespace caldicott::bundlegen
