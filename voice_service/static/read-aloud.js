// Read the page out loud with the browser's own speech synthesis, on every public page.
// Progressive enhancement: the button stays hidden unless the browser has a voice for the
// page's language (voices can arrive late: "voiceschanged"), so nobody is offered a button that
// reads Bengali in an English voice or does nothing. Loaded as a module from our own origin.
const synth = window.speechSynthesis

function questionText (form) {
  const parts = []
  if (!form.matches('form')) {
    // A whole page (like "you said, we did"): its headings and the words marked to read.
    form.querySelectorAll('h1, h2, .app-read-aloud-text').forEach((el) => parts.push(el.textContent))
    return parts.map((part) => part.replace(/\s+/g, ' ').trim()).filter(Boolean).join('. ')
  }
  const heading = form.querySelector('h1')
  if (heading) parts.push(heading.textContent)
  form.querySelectorAll('.govuk-hint').forEach((hint) => parts.push(hint.textContent))
  form.querySelectorAll('.govuk-radios__label, .govuk-checkboxes__label').forEach((label) => {
    const words = label.querySelector('.app-emoji__label') || label
    parts.push(words.textContent)
  })
  return parts
}

function pageText (main) {
  // Headings, paragraphs, list items, panel and summary rows: what a reader sees, in order.
  const parts = []
  main.querySelectorAll('h1, h2, p, li, dt, dd, .govuk-panel__body').forEach((el) => {
    if (el.closest('.app-read-aloud, [aria-hidden="true"], .govuk-visually-hidden, form .govuk-button-group')) return
    if (el.querySelector('h1, h2, p, li')) return // read the inner element once, not twice
    parts.push(el.textContent)
  })
  return parts
}

function textToRead (button) {
  const form = button.closest('form')
  const parts = form ? questionText(form) : pageText(document.getElementById('main-content'))
  return parts.map((part) => part.replace(/\s+/g, ' ').trim()).filter(Boolean).join('. ')
}

function voiceFor (lang) {
  const wanted = lang.toLowerCase().split('-')[0]
  return synth.getVoices().find((voice) => voice.lang.toLowerCase().replace('_', '-').split('-')[0] === wanted)
}

function setUp (button) {
  const target = button.dataset.readAloudTarget
  const form = target ? document.getElementById(target) : button.closest('form')
  const lang = button.dataset.readAloudLang || document.documentElement.lang || 'en'
  const box = button.closest('.app-read-aloud')
  const offer = () => {
    const voice = voiceFor(lang)
    box.hidden = !voice
    return voice
  }
  offer()
  synth.addEventListener('voiceschanged', offer)
  button.addEventListener('click', () => {
    const voice = offer()
    if (!voice) return
    synth.cancel()
    const utterance = new window.SpeechSynthesisUtterance(textToRead(button))
    utterance.lang = lang
    utterance.voice = voice
    utterance.rate = 0.9
    synth.speak(utterance)
  })
}

if (synth && 'SpeechSynthesisUtterance' in window) {
  document.querySelectorAll('[data-module="app-read-aloud"]').forEach(setUp)
}
