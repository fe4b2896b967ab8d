"""The curated skill taxonomy, as data. Staff edit it afterwards in the admin."""

from django.db import migrations

# slug, English name, Spanish name, category
TAXONOMY = [
    ("nlp", "Natural language processing", "Procesamiento del lenguaje natural", "Modelling"),
    ("speech", "Speech recognition and synthesis", "Reconocimiento y síntesis del habla", "Modelling"),
    ("computer-vision", "Computer vision", "Visión por computador", "Modelling"),
    ("multimodal", "Multimodal models", "Modelos multimodales", "Modelling"),
    ("llm-training", "LLM training and fine-tuning", "Entrenamiento y ajuste fino de LLM", "Modelling"),
    ("reinforcement-learning", "Reinforcement learning", "Aprendizaje por refuerzo", "Modelling"),
    ("information-retrieval", "Information retrieval and RAG", "Recuperación de información y RAG", "Modelling"),
    ("agents", "AI agents and tool use", "Agentes de IA y uso de herramientas", "Modelling"),
    ("time-series", "Time series and forecasting", "Series temporales y predicción", "Modelling"),
    ("generative-media", "Image, audio and video generation", "Generación de imagen, audio y vídeo", "Modelling"),
    ("evaluation", "Evaluation and benchmarking", "Evaluación y benchmarks", "Engineering"),
    ("mlops", "MLOps", "MLOps", "Engineering"),
    ("data-engineering", "Data engineering", "Ingeniería de datos", "Engineering"),
    ("data-curation", "Data annotation and curation", "Anotación y curación de datos", "Engineering"),
    ("efficient-inference", "Efficient and on-device inference", "Inferencia eficiente y en dispositivo", "Engineering"),
    ("hpc", "High-performance computing", "Computación de alto rendimiento", "Engineering"),
    ("robotics", "Robotics", "Robótica", "Applications"),
    ("health-ai", "AI for health and life sciences", "IA para salud y ciencias de la vida", "Applications"),
    ("ai-product", "AI product and UX", "Producto y experiencia de usuario con IA", "Applications"),
    ("ai-policy-ethics", "AI policy and ethics", "Política y ética de la IA", "Society"),
    ("privacy-security", "Privacy and security in ML", "Privacidad y seguridad en ML", "Society"),
    ("teaching-outreach", "Teaching and outreach", "Docencia y divulgación", "Society"),
]


def load(apps, schema_editor):
    Skill = apps.get_model("profiles", "Skill")
    for position, (slug, name, name_es, category) in enumerate(TAXONOMY, start=1):
        Skill.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "name_es": name_es, "category": category, "position": position * 10},
        )


def unload(apps, schema_editor):
    apps.get_model("profiles", "Skill").objects.filter(slug__in=[row[0] for row in TAXONOMY]).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
