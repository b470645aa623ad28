<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="kk_KZ">
<context>
    <name>MainWindow</name>
    <message>
        <source>Cases</source>
        <translation>Істер</translation>
    </message>
    <message>
        <source>Search by ERDR number or title</source>
        <translation>СДТБТ нөмірі немесе атауы бойынша іздеу</translation>
    </message>
    <message>
        <source>Search cases</source>
        <translation>Істерді іздеу</translation>
    </message>
    <message>
        <source>ERDR number</source>
        <translation>СДТБТ нөмірі</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Атауы</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Әрекеттер</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Құрылған күні</translation>
    </message>
    <message>
        <source>No cases yet.
Create one with “New case” (Ctrl+N) using its ERDR number.</source>
        <translation>Істер әлі жоқ.
«Жаңа іс» (Ctrl+N) арқылы СДТБТ нөмірі бойынша іс құрыңыз.</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>Жаңа іс…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Шығу</translation>
    </message>
    <message>
        <source>About Tergeu</source>
        <translation>Tergeu туралы</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Тіл</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Анықтама</translation>
    </message>
    <message>
        <source>Tergeu — remote investigative actions with verified identities, evidence-grade recording and signed electronic protocols.</source>
        <translation>Tergeu — қатысушылардың жеке басын тексеретін, дәлелдемелік бейнежазбасы мен қол қойылған электрондық хаттамалары бар қашықтан тергеу әрекеттері.</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>Жаңа іс</translation>
    </message>
    <message>
        <source>ERDR registration number</source>
        <translation>СДТБТ тіркеу нөмірі</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Атауы</translation>
    </message>
</context>
</TS>