"""Real Spanish and English words for searches nobody made before (`bench/stack.py`).

Drawn one to three at a time, 330 words give about 6 million different searches, so
almost none repeats within a run and no cached answer can stand in for the work."""

SPANISH = """
abierto aprendizaje agua aire alumno análisis árbol arte audio aula ayuda barrio biblioteca
biología búsqueda calidad calle cámara campo canal cáncer carretera casa catalán ciencia
cine ciudad clase clima cocina código comercio comunidad conocimiento consumo contrato
corpus cultura curso datos decisión deporte derecho diagnóstico diccionario diseño documento
economía educación elección empleo empresa energía enfermedad ensayo entrada equipo escuela
español estadística estudio euskera evaluación familia farmacia física fotografía fuego
futuro gallego gestión gobierno gramática grupo guía hospital historia hogar idioma imagen
industria información ingeniería instituto investigación juego justicia laboratorio lectura
lengua lenguaje ley libro literatura luz madera mapa mar medicina memoria mercado método
minería modelo montaña movilidad mujer mundo museo música naturaleza negocio niño noticia
océano oficina ópera paciente paisaje palabra papel parque patrimonio pesca piel planta
playa población política precio pregunta premio prensa proyecto prueba pueblo puerto química
radio receta recurso red región reloj respuesta riesgo río robot ruido salud satélite
seguridad semántica señal servicio sistema sociedad software sonido suelo tarea teatro
teléfono texto tiempo tierra tráfico traducción transporte turismo universidad urbano vacuna
valle vehículo venta verano viaje vida vino visión voz zona
"""

ENGLISH = """
account answer apple archive article audio author bank battery benchmark bird boat body
book bridge budget building camera cancer carbon chart chemistry child city climate cloud
coast code college computer contract cooking corpus country court crop culture customer
dance data dataset design diagnosis dictionary disease doctor document dream drug earth
economy education election energy engine english evaluation factory family farm fashion
film finance fire fish flight forest freedom friend fruit funding game garden genome
grammar graph health heart history hospital house image industry insurance island journal
justice kitchen knowledge label language law lawyer learning letter library light machine
market medicine memory metric mountain movie museum music nature network news ocean office
paper patient picture planet plant poetry police policy power price privacy protein
question radio railway reading recipe report research river road robot safety satellite
school science search security sensor signal software soil sound space speech sport story
street student summary survey teacher theatre traffic transport travel tree vaccine
vehicle video village vision voice water weather wind winter word world writing
"""

WORDS = sorted(set(SPANISH.split()) | set(ENGLISH.split()))
